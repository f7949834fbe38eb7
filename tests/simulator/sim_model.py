# SPDX-License-Identifier: MIT
"""In-memory Dokploy: projects, environments, compose services, deployments, servers.

DokployModel.call(procedure, input) implements the tRPC procedures listed in
routes(); deploys run asynchronously on one queue worker, like Dokploy's
deployment queue, and bring workspaces up through a ComposeRuntime.
"""

from __future__ import annotations

import queue
import re
import secrets
import string as _string
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sim_validation as v
from compose_file import ComposeError, parse_compose
from compose_runtime import ComposeRuntime
from sim_faults import FaultBook
from sim_validation import ApiError, bad_request, not_found

NANOID_ALPHABET = _string.ascii_letters + _string.digits + "_-"
SUFFIX_ALPHABET = _string.ascii_lowercase + _string.digits
COMPOSE_TYPES = ("docker-compose", "stack")
SOURCE_TYPES = ("git", "github", "gitlab", "bitbucket", "gitea", "raw")
STATUSES = ("idle", "running", "done", "error")
MAX_DEPLOYMENTS = 10
ORGANIZATION_ID = "sim-organization"
USER_ID = "sim-user"
SERVICE_KINDS = ("applications", "compose", "mariadb", "mongo", "mysql", "postgres", "redis")
COMPOSE_SUMMARY_KEYS = ("composeId", "name", "appName", "description", "composeStatus",
                        "composeType", "sourceType", "serverId", "environmentId", "projectId",
                        "createdAt")
UPDATABLE_COMPOSE_FIELDS = {
    "name": v.nonempty_string, "appName": v.nonempty_string, "description": v.nullable_string,
    "env": v.nullable_string, "composeFile": v.string, "sourceType": v.one_of(*SOURCE_TYPES),
    "composeType": v.one_of(*COMPOSE_TYPES), "composePath": v.nonempty_string,
    "command": v.string, "repository": v.nullable_string, "owner": v.nullable_string,
    "branch": v.nullable_string, "customGitUrl": v.nullable_string,
    "customGitBranch": v.nullable_string, "autoDeploy": v.boolean, "suffix": v.string,
    "randomize": v.boolean, "isolatedDeployment": v.boolean,
    "triggerType": v.one_of("push", "tag"), "composeStatus": v.one_of(*STATUSES),
    "watchPaths": v.string_list_or_null,
}
COMPOSE_ID = {"composeId": v.nonempty_string}


@dataclass
class DeployJob:
    """One queued deployment; `fault` is a consumed deploy_error/deploy_hang rule."""

    compose_id: str
    deployment: dict
    fault: dict | None


def parse_server(text: str) -> tuple[str, str, str]:
    """Parse a --server "ID:NAME:IP" argument."""
    parts = text.split(":", 2)
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"--server expects ID:NAME:IP, got {text!r}")
    return parts[0], parts[1], parts[2]


class DokployModel:
    """The simulated Dokploy state and procedures; thread-safe."""

    def __init__(self, runtime: ComposeRuntime, faults: FaultBook, *, legacy: bool,
                 version: str, deploy_seconds: float, servers=()):
        self.legacy = legacy
        self.version = version
        self._runtime = runtime
        self._faults = faults
        self._deploy_seconds = deploy_seconds
        self._lock = threading.RLock()
        self._last_time: datetime | None = None
        self._projects: dict[str, dict] = {}
        self._environments: dict[str, dict] = {}
        self._composes: dict[str, dict] = {}
        self._deployments: dict[str, list[dict]] = {}
        self._parsed: dict[str, dict | None] = {}
        self._deployed: set[str] = set()
        self._deleted: list[dict] = []
        self._created_at = self._timestamp()
        self._servers = {sid: self._server_row(sid, name, ip) for sid, name, ip in servers}
        self._queue: queue.Queue[DeployJob] = queue.Queue()
        self._routes = self._build_routes()
        threading.Thread(target=self._deploy_worker, name="deploy-queue", daemon=True).start()


    def method_of(self, procedure: str) -> str | None:
        """HTTP method of a procedure, or None if it does not exist in this layout."""
        route = self._routes.get(procedure)
        return route[0] if route else None

    def call(self, procedure: str, data) -> object:
        """Run a procedure on its (already decoded) input; raises ApiError."""
        return self._routes[procedure][1](data)

    def _build_routes(self) -> dict:
        routes = {
            "settings.getDokployVersion": ("GET", lambda data: self.version),
            "user.get": ("GET", self._user_get),
            "project.all": ("GET", self._project_all),
            "project.one": ("GET", self._project_one),
            "project.create": ("POST", self._project_create),
            "project.remove": ("POST", self._project_remove),
            "compose.create": ("POST", self._compose_create),
            "compose.one": ("GET", self._compose_one),
            "compose.update": ("POST", self._compose_update),
            "compose.deploy": ("POST", lambda data: self._compose_deploy(data, "compose.deploy")),
            "compose.redeploy": ("POST",
                                 lambda data: self._compose_deploy(data, "compose.redeploy")),
            "compose.start": ("POST", self._compose_start),
            "compose.stop": ("POST", self._compose_stop),
            "compose.delete": ("POST", self._compose_delete),
            "server.all": ("GET", lambda data: [dict(s) for s in self._servers.values()]),
            "server.one": ("GET", self._server_one),
            "deployment.allByCompose": ("GET", self._deployments_by_compose),
        }
        if not self.legacy:
            routes["environment.create"] = ("POST", self._environment_create)
            routes["environment.byProjectId"] = ("GET", self._environments_by_project)
        return routes


    def _user_get(self, data) -> dict:
        return {"id": "sim-member", "userId": USER_ID, "organizationId": ORGANIZATION_ID,
                "role": "owner", "createdAt": self._created_at,
                "user": {"id": USER_ID, "name": "Simulated Admin", "email": "admin@example.com"}}

    def _server_row(self, server_id: str, name: str, ip: str) -> dict:
        return {"serverId": server_id, "name": name, "description": "", "ipAddress": ip,
                "port": 22, "username": "root", "appName": f"server-{_slug(name)}",
                "serverStatus": "active", "serverType": "deploy", "sshKeyId": None,
                "organizationId": ORGANIZATION_ID, "createdAt": self._timestamp()}

    def _server_one(self, data) -> dict:
        data = v.validate(data, {"serverId": v.nonempty_string})
        server = self._servers.get(data["serverId"])
        if server is None:
            raise not_found("Server")
        return dict(server)


    def _project_all(self, data) -> list:
        with self._lock:
            return [self._project_view(p) for p in self._projects.values()]

    def _project_one(self, data) -> dict:
        data = v.validate(data, {"projectId": v.nonempty_string})
        with self._lock:
            return self._project_view(self._find(self._projects, data["projectId"], "Project"))

    def _project_create(self, data) -> dict:
        data = v.validate(data, {"name": v.nonempty_string},
                          {"description": v.nullable_string, "env": v.string})
        with self._lock:
            project = {"projectId": _new_id(), "name": data["name"],
                       "description": data.get("description"), "env": data.get("env", ""),
                       "organizationId": ORGANIZATION_ID, "createdAt": self._timestamp()}
            self._projects[project["projectId"]] = project
            if self.legacy:
                return dict(project)
            environment = self._new_environment(project["projectId"], "production",
                                                "Production environment")
            return {"project": dict(project), "environment": dict(environment)}

    def _project_remove(self, data) -> dict:
        """Delete the project's rows only; running workspaces keep running (orphans)."""
        data = v.validate(data, {"projectId": v.nonempty_string})
        with self._lock:
            project = self._find(self._projects, data["projectId"], "Project")
            env_ids = {e["environmentId"] for e in self._environments.values()
                       if e["projectId"] == project["projectId"]}
            for compose_id in [cid for cid, c in self._composes.items()
                               if c.get("projectId") == project["projectId"]
                               or c.get("environmentId") in env_ids]:
                self._forget_compose(compose_id)
            for env_id in env_ids:
                del self._environments[env_id]
            del self._projects[project["projectId"]]
            return dict(project)

    def _environment_create(self, data) -> dict:
        data = v.validate(data, {"name": v.nonempty_string, "projectId": v.nonempty_string},
                          {"description": v.nullable_string})
        with self._lock:
            self._find(self._projects, data["projectId"], "Project")
            return dict(self._new_environment(data["projectId"], data["name"],
                                              data.get("description")))

    def _environments_by_project(self, data) -> list:
        data = v.validate(data, {"projectId": v.nonempty_string})
        with self._lock:
            self._find(self._projects, data["projectId"], "Project")
            return [self._environment_view(e) for e in self._environments.values()
                    if e["projectId"] == data["projectId"]]

    def _new_environment(self, project_id: str, name: str, description) -> dict:
        environment = {"environmentId": _new_id(), "name": name, "description": description,
                       "env": "", "projectId": project_id, "createdAt": self._timestamp()}
        self._environments[environment["environmentId"]] = environment
        return environment

    def _project_view(self, project: dict) -> dict:
        view = dict(project)
        if self.legacy:
            view.update(self._service_lists("projectId", project["projectId"]))
        else:
            view["environments"] = [self._environment_view(e) for e in self._environments.values()
                                    if e["projectId"] == project["projectId"]]
        return view

    def _environment_view(self, environment: dict) -> dict:
        view = dict(environment)
        view.update(self._service_lists("environmentId", environment["environmentId"]))
        return view

    def _service_lists(self, parent_key: str, parent_id: str) -> dict:
        """Service arrays of a project (legacy) or environment; only compose is populated."""
        lists = {kind: [] for kind in SERVICE_KINDS}
        lists["compose"] = [{k: c[k] for k in COMPOSE_SUMMARY_KEYS if k in c}
                            for c in self._composes.values() if c.get(parent_key) == parent_id]
        return lists


    def _compose_create(self, data) -> dict:
        parent_key = "projectId" if self.legacy else "environmentId"
        optional = {"description": v.nullable_string, "composeType": v.one_of(*COMPOSE_TYPES),
                    "appName": v.nonempty_string, "serverId": v.nullable_string}
        if not self.legacy and _version_tuple(self.version) >= (0, 30, 0):
            optional.update(composeFile=v.string, sourceType=v.one_of(*SOURCE_TYPES))
        data = v.validate(data, {"name": v.nonempty_string, parent_key: v.nonempty_string},
                          optional)
        with self._lock:
            if self.legacy:
                self._find(self._projects, data[parent_key], "Project")
            else:
                self._find(self._environments, data[parent_key], "Environment")
            if data.get("serverId"):
                self._find(self._servers, data["serverId"], "Server")
            compose = self._new_compose_row(data, parent_key)
            self._composes[compose["composeId"]] = compose
            return dict(compose)

    def _new_compose_row(self, data: dict, parent_key: str) -> dict:
        base = _slug(data.get("appName") or data["name"])
        row = {
            "composeId": _new_id(), "name": data["name"],
            "appName": f"{base}-{_random_text(SUFFIX_ALPHABET, 6)}",
            "description": data.get("description"), "env": "", "composeFile": "",
            "refreshToken": _new_id(), "sourceType": "github", "composeType": "docker-compose",
            "repository": None, "owner": None, "branch": None, "autoDeploy": True,
            "customGitUrl": None, "customGitBranch": None, "command": "",
            "composePath": "./docker-compose.yml", "suffix": "", "randomize": False,
            "isolatedDeployment": False, "triggerType": "push", "composeStatus": "idle",
            parent_key: data[parent_key], "createdAt": self._timestamp(),
            "serverId": data.get("serverId"), "watchPaths": None,
        }
        for key in ("composeType", "composeFile", "sourceType"):
            if key in data:
                row[key] = data[key]
        return row

    def _compose_one(self, data) -> dict:
        data = v.validate(data, COMPOSE_ID)
        with self._lock:
            return self._compose_view(self._find_compose(data["composeId"]))

    def _compose_view(self, compose: dict) -> dict:
        view = dict(compose)
        if self.legacy:
            view["project"] = dict(self._projects[compose["projectId"]])
        else:
            environment = self._environments[compose["environmentId"]]
            view["environment"] = {**environment,
                                   "project": dict(self._projects[environment["projectId"]])}
        server_id = compose.get("serverId")
        view["server"] = dict(self._servers[server_id]) if server_id else None
        view["deployments"] = [dict(d) for d in self._deployments.get(compose["composeId"], [])]
        view["domains"], view["mounts"] = [], []
        return view

    def _compose_update(self, data) -> dict:
        data = v.validate(data, COMPOSE_ID, UPDATABLE_COMPOSE_FIELDS)
        with self._lock:
            compose = self._find_compose(data.pop("composeId"))
            compose.update(data)
            return dict(compose)

    def _compose_delete(self, data) -> dict:
        data = v.validate(data, {**COMPOSE_ID, "deleteVolumes": v.boolean})
        compose_id = data["composeId"]
        with self._lock:
            self._find_compose(compose_id)
        self._runtime.down(compose_id)
        with self._lock:
            compose = self._find_compose(compose_id)
            self._deleted.append({"composeId": compose_id, "name": compose["name"],
                                  "appName": compose["appName"],
                                  "deleteVolumes": data["deleteVolumes"],
                                  "parsed": self._parsed.get(compose_id),
                                  "deletedAt": self._timestamp()})
            self._forget_compose(compose_id)
            return dict(compose)

    def _forget_compose(self, compose_id: str) -> dict:
        """Drop a compose row and everything hanging off it (not its processes)."""
        self._deployments.pop(compose_id, None)
        self._parsed.pop(compose_id, None)
        self._deployed.discard(compose_id)
        return self._composes.pop(compose_id)

    def _find_compose(self, compose_id: str) -> dict:
        return self._find(self._composes, compose_id, "Compose")

    @staticmethod
    def _find(table: dict, key: str, what: str) -> dict:
        row = table.get(key)
        if row is None:
            raise not_found(what)
        return row


    def _compose_deploy(self, data, procedure: str):
        data = v.validate(data, COMPOSE_ID, {"title": v.string, "description": v.string})
        compose_id = data["composeId"]
        redeploy = procedure == "compose.redeploy"
        default_title = "Rebuild deployment" if redeploy else "Manual deployment"
        with self._lock:
            compose = self._find_compose(compose_id)
            fault = self._faults.take_deploy_fault(procedure, compose)
            now = self._timestamp()
            deployment = {"deploymentId": _new_id(), "composeId": compose_id,
                          "title": data.get("title") or default_title,
                          "description": data.get("description"), "status": "running",
                          "errorMessage": None, "createdAt": now, "startedAt": now,
                          "finishedAt": None}
            history = self._deployments.setdefault(compose_id, [])
            history.insert(0, deployment)
            del history[MAX_DEPLOYMENTS:]
            compose["composeStatus"] = "running"
        self._queue.put(DeployJob(compose_id, deployment, fault))
        if self.legacy:
            return True
        return {"success": True, "message": "Deployment queued", "composeId": compose_id}

    def _deployments_by_compose(self, data) -> list:
        data = v.validate(data, COMPOSE_ID)
        with self._lock:
            self._find_compose(data["composeId"])
            return [dict(d) for d in self._deployments.get(data["composeId"], [])]

    def _compose_start(self, data) -> bool:
        """Run the compose file again, synchronously; 500 with Docker's message on failure."""
        compose_id = self._deployed_compose_id(data, "start")
        error = self._compose_up(compose_id)
        with self._lock:
            if compose_id in self._composes:
                self._composes[compose_id]["composeStatus"] = "idle" if error else "done"
        if error:
            raise ApiError(500, "INTERNAL_SERVER_ERROR", error)
        return True

    def _compose_stop(self, data) -> bool:
        compose_id = self._deployed_compose_id(data, "stop")
        self._runtime.down(compose_id)
        with self._lock:
            if compose_id in self._composes:
                self._composes[compose_id]["composeStatus"] = "idle"
        return True

    def _deployed_compose_id(self, data, action: str) -> str:
        """Validate a start/stop input; Dokploy refuses both before the first deploy."""
        compose_id = v.validate(data, COMPOSE_ID)["composeId"]
        with self._lock:
            self._find_compose(compose_id)
            if compose_id not in self._deployed:
                raise bad_request(f"This compose hasn't been deployed yet, so there is nothing "
                                  f"to {action}. Deploy it first.")
        return compose_id

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
        if kind == "deploy_hang":
            return
        time.sleep(self._deploy_seconds)
        if kind == "deploy_error":
            error = job.fault.get("message") or "Deployment failed (injected deploy_error fault)"
        elif kind == "no_sshd":
            error = self._compose_up(job.compose_id, sshd=job.fault.get("mode", "closed"))
        else:
            error = self._compose_up(job.compose_id)
        self._finish_deploy(job, error)

    def _finish_deploy(self, job: DeployJob, error: str | None) -> None:
        with self._lock:
            deployment = job.deployment
            deployment["status"] = "error" if error else "done"
            deployment["errorMessage"] = error
            deployment["finishedAt"] = self._timestamp()
            history = self._deployments.get(job.compose_id) or [None]
            if history[0] is deployment:
                self._composes[job.compose_id]["composeStatus"] = deployment["status"]

    def _compose_up(self, compose_id: str, sshd: str = "run") -> str | None:
        """`docker compose up` for a compose's current file; returns an error message or None.

        sshd: "run" starts sshd for port 22; "closed" (nothing listens) and "blackhole" (a socket that
        accepts connections but never answers) stand for a container whose sshd never comes up.
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
            with self._lock:
                if compose_id in self._composes:
                    self._parsed[compose_id] = spec.to_json()
            self._runtime.up(compose_id, compose["appName"], spec, sshd=sshd)
        except ComposeError as exc:
            return str(exc)
        with self._lock:
            deleted_meanwhile = compose_id not in self._composes
        if deleted_meanwhile:
            self._runtime.down(compose_id)
            return "Compose not found"
        return None


    def snapshot(self) -> dict:
        """Everything, for GET /__sim/state."""
        with self._lock:
            composes = {
                cid: {**c, "parsed": self._parsed.get(cid), "deployed": cid in self._deployed,
                      "sshd": self._runtime.sshd_info(cid)}
                for cid, c in self._composes.items()
            }
            orphans = [{"composeId": cid, "sshd": self._runtime.sshd_info(cid)}
                       for cid in self._runtime.workspace_ids() if cid not in self._composes]
            return {
                "legacy": self.legacy, "version": self.version,
                "projects": {k: dict(p) for k, p in self._projects.items()},
                "environments": {k: dict(e) for k, e in self._environments.items()},
                "composes": composes,
                "deployments": {k: [dict(d) for d in h] for k, h in self._deployments.items()},
                "deletedComposes": [dict(d) for d in self._deleted],
                "orphans": orphans,
                "servers": {k: dict(s) for k, s in self._servers.items()},
                "faults": self._faults.remaining(),
            }

    def _timestamp(self) -> str:
        """ISO-8601 UTC with milliseconds, strictly increasing across calls."""
        with self._lock:
            now = datetime.now(timezone.utc)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            if self._last_time is not None and now <= self._last_time:
                now = self._last_time + timedelta(milliseconds=1)
            self._last_time = now
            return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def _new_id() -> str:
    return _random_text(NANOID_ALPHABET, 21)


def _random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "compose"


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])
