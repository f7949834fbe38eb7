# SPDX-License-Identifier: MIT
"""Deploys, start/stop, deployment logs and containers of the simulated Dokploy (a mixin of DokployModel).

Deploys run one at a time on a queue worker, like Dokploy's deployment queue. Each deployment gets a log
in Dokploy's format (sim_shapes.deploy_log_head/tail): on v0.25+ a failed deploy only says `status: "error"`
(errorMessage stays null, as recorded from v0.30.2) and Docker's text is in the log, which
deployment.readLogs serves; the legacy layout keeps the text in errorMessage.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass

import sim_shapes as shapes
import sim_validation as v
from compose_file import ComposeError, parse_compose
from sim_validation import internal_error, not_found

COMPOSE_ID = {"composeId": v.nonempty_string}
MAX_DEPLOYMENTS = 10
DEFAULT_LOG_TAIL = 100
# What Node's exec answers when the compose folder (the command's cwd) does not exist yet: before the first
# deploy, compose.start and compose.stop fail with this (recorded).
NO_COMPOSE_FOLDER = "Command execution failed: spawn /bin/sh ENOENT"
APP_NAME_PATTERN = r"^[a-zA-Z0-9.\-_]+$"


@dataclass
class DeployJob:
    """One queued deployment; `fault` is a consumed deploy_error/deploy_hang/no_sshd rule."""

    compose_id: str
    deployment: dict
    fault: dict | None


class DeployMixin:
    """compose.deploy/redeploy/start/stop, deployment.*, docker.getContainersByAppNameMatch and the control
    hooks that stop containers. Uses DokployModel's state (_lock, _composes, _deployments, _logs, ...)."""

    def _compose_deploy(self, data, procedure: str):
        data = self.validate(data, COMPOSE_ID, {"title": v.string, "description": v.string})
        compose_id = data["composeId"]
        default_title = "Rebuild deployment" if procedure == "compose.redeploy" else "Manual deployment"
        with self._lock:
            compose = self._find_compose(compose_id)
            fault = self._faults.take_deploy_fault(procedure, compose)
            now = self._timestamp()
            deployment = shapes.deployment_row(compose, data.get("title") or default_title,
                                               data.get("description"), shapes.log_path(compose["appName"], now),
                                               now, self.legacy)
            self._logs[deployment["deploymentId"]] = []
            history = self._deployments.setdefault(compose_id, [])
            history.insert(0, deployment)
            for dropped in history[MAX_DEPLOYMENTS:]:
                self._logs.pop(dropped["deploymentId"], None)
            del history[MAX_DEPLOYMENTS:]
            compose["composeStatus"] = "running"
        self._queue.put(DeployJob(compose_id, deployment, fault))
        if self.legacy:
            return True
        return {"success": True, "message": "Deployment queued", "composeId": compose_id}

    def _deployments_by_compose(self, data) -> list:
        data = self.validate(data, COMPOSE_ID)
        with self._lock:
            self._find_compose(data["composeId"])
            return [dict(d) for d in self._deployments.get(data["composeId"], [])]

    def _read_logs(self, data) -> str:
        """The last `tail` lines of a deployment's log, as `tail -n` prints them."""
        data = self.validate(data, {"deploymentId": v.nonempty_string}, {"tail": v.integer(1, 10000)})
        tail = int(data.get("tail", DEFAULT_LOG_TAIL))
        with self._lock:
            lines = self._logs.get(data["deploymentId"])
            if lines is None:
                raise not_found("Deployment")
            return "".join(line + "\n" for line in lines[-tail:])

    def _containers_by_app_name(self, data) -> list:
        data = self.validate(data, {"appName": v.matching(APP_NAME_PATTERN, "Invalid app name.")},
                             {"appType": v.one_of("stack", "docker-compose"), "serverId": v.string})
        if data.get("serverId") and data["serverId"] not in self._servers:
            raise not_found("Server")
        return self._containers.match(data["appName"], data.get("appType"))

    def _container_logs(self, data) -> str:
        """compose.readLogs: `docker logs` of one container of the compose (Dokploy v0.30.2's input)."""
        data = self.validate(data, {**COMPOSE_ID, "containerId": v.matching(r"^[a-zA-Z0-9.\-_]+$",
                                                                           "Invalid container id.")},
                             {"tail": v.integer(1, 10000), "since": v.string, "search": v.string})
        with self._lock:
            app = self._find_compose(data["composeId"])["appName"]
        log = self._containers.log(app, data["containerId"], int(data.get("tail", 100)))
        return log if log is not None else ""

    def _compose_start(self, data) -> bool:
        """`docker compose up -d` again, synchronously; 500 with Docker's text on failure (status idle)."""
        compose_id, app = self._started_or_stopped(data, "idle")
        error = self._compose_up(compose_id)
        with self._lock:
            if compose_id in self._composes:
                self._composes[compose_id]["composeStatus"] = "idle" if error else "done"
        if error:
            raise internal_error(f'Command execution failed: Command failed: env -i PATH="$PATH" docker compose '
                                 f"-p {app} -f docker-compose.yml up -d\n{error}\n")
        return True

    def _compose_stop(self, data) -> bool:
        """`docker compose stop`: the containers exit (0) and stay listed; status idle."""
        compose_id, app = self._started_or_stopped(data, "error")
        self._runtime.down(compose_id)
        self._containers.exited(app, 0)
        with self._lock:
            if compose_id in self._composes:
                self._composes[compose_id]["composeStatus"] = "idle"
        return True

    def _started_or_stopped(self, data, status_if_never_deployed: str) -> tuple[str, str]:
        """Validate a start/stop input; before the first deploy there is no compose folder: 500 (recorded),
        and the compose's status becomes `status_if_never_deployed` (start: idle, stop: error)."""
        compose_id = self.validate(data, COMPOSE_ID)["composeId"]
        with self._lock:
            compose = self._find_compose(compose_id)
            if compose_id not in self._deployed:
                compose["composeStatus"] = status_if_never_deployed
                raise internal_error(NO_COMPOSE_FOLDER)
            return compose_id, compose["appName"]

    def exit_container(self, compose_id: str) -> list[str] | None:
        """Control: the workspace's containers end by themselves (exit 0); composeStatus unchanged.
        Returns the services that were running, None when nothing runs."""
        app = self._runtime.app_name_of(compose_id)
        if app is None or not self._runtime.down(compose_id):
            return None
        running = [c["service"] for c in self._containers.snapshot() if c["project"] == app
                   and c["state"] == "running"]
        self._containers.exited(app, 0)
        return running

    def kill_sshd(self, compose_id: str) -> list[int]:
        """Control: SIGKILL the workspace's sshds (a crash inside a container that keeps running: the
        containers stay `running`, unlike exit_container); returns the PIDs."""
        return self._runtime.kill_sshd(compose_id)

    def _deploy_worker(self) -> None:
        """Process queued deployments one at a time, forever."""
        while True:
            job = self._queue.get()
            try:
                self._run_deploy(job)
            except Exception:  # keep the queue alive; the traceback goes to stderr
                traceback.print_exc(file=sys.stderr)
                self._finish_deploy(job, "internal simulator error (see its stderr)")

    def _run_deploy(self, job: DeployJob) -> None:
        kind = job.fault["kind"] if job.fault else None
        self._log(job, ["Initializing deployment"])
        if kind == "deploy_hang":
            return
        time.sleep(self._deploy_seconds)
        with self._lock:
            compose = dict(self._composes.get(job.compose_id) or {})
        if not compose:
            self._finish_deploy(job, "Compose not found")
            return
        self._log(job, shapes.deploy_log_head(compose)[1:])
        if kind == "deploy_error":
            with self._lock:
                self._deployed.add(job.compose_id)  # the compose folder was written; Docker failed
            error = job.fault.get("message") or "Deployment failed (injected deploy_error fault)"
        else:
            error = self._compose_up(job.compose_id, sshd=job.fault.get("mode", "closed") if kind else "run",
                                     container_log=job.fault.get("log") if kind else None)
        self._finish_deploy(job, error)

    def _log(self, job: DeployJob, lines: list[str]) -> None:
        with self._lock:
            log = self._logs.get(job.deployment["deploymentId"])
            if log is not None:
                log.extend(lines)

    def _finish_deploy(self, job: DeployJob, error: str | None) -> None:
        with self._lock:
            parsed = self._parsed.get(job.compose_id) or {}
            app = (self._composes.get(job.compose_id) or {}).get("appName", "")
            self._log(job, shapes.deploy_log_tail(error, list(parsed.get("services", {})), app))
            deployment = job.deployment
            deployment["status"] = "error" if error else "done"
            if self.legacy:
                deployment["errorMessage"] = error
            deployment["finishedAt"] = self._timestamp()
            history = self._deployments.get(job.compose_id) or [None]
            if history[0] is deployment:
                self._composes[job.compose_id]["composeStatus"] = deployment["status"]

    def _compose_up(self, compose_id: str, sshd: str = "run", container_log: str | None = None) -> str | None:
        """`docker compose up` for a compose's current file; returns Docker's error text or None.

        sshd: "run" starts sshd for port 22; "closed" (nothing listens) and "blackhole" (a socket that
        accepts connections but never answers) stand for a container whose sshd never comes up, whose log
        then ends with `container_log` (a no_sshd fault's `log`) or a default line saying so.
        """
        with self._lock:
            compose = self._composes.get(compose_id)
            if compose is None:
                return "Compose not found"
            compose = dict(compose)
            self._deployed.add(compose_id)
            self._parsed[compose_id] = None
        try:
            _check_runnable(compose)
            spec = parse_compose(compose["composeFile"], compose.get("env") or "")
        except ComposeError as exc:
            return str(exc)
        with self._lock:
            if compose_id in self._composes:
                self._parsed[compose_id] = spec.to_json()
        app, services = compose["appName"], [s.name for s in spec.services]
        try:
            self._runtime.up(compose_id, app, spec, sshd=sshd)
        except ComposeError as exc:
            self._containers.exited(app, 0)  # the previous containers were replaced
            self._containers.up(app, services, state="created")
            return str(exc)
        log = ["[dokploy-workspace] starting sshd"]
        if sshd != "run":
            log.append(container_log or "[dokploy-workspace] error: sshd did not start (the simulator's no_sshd fault)")
        self._containers.up(app, services, log=log)
        with self._lock:
            deleted_meanwhile = compose_id not in self._composes
        if deleted_meanwhile:
            self._runtime.down(compose_id)
            self._containers.remove(app)
            return "Compose not found"
        return None


def _check_runnable(compose: dict) -> None:
    """Refuse what Dokploy cannot run before Docker even sees the file."""
    if compose["sourceType"] != "raw":
        raise ComposeError(
            f'sourceType "{compose["sourceType"]}" needs a repository; the simulator runs only '
            'raw compose files (set sourceType: "raw")'
        )
    if compose["composeType"] != "docker-compose":
        raise ComposeError(
            f'composeType "{compose["composeType"]}" deploys a Swarm stack, which ignores '
            'privileged: docker-in-docker cannot start (use "docker-compose")'
        )
