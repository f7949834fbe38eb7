# SPDX-License-Identifier: MIT
"""In-memory Dokploy: projects, environments, compose services, deployments, servers.

DokployModel.call(procedure, input) implements the tRPC procedures listed in _build_routes(), answering in
the shapes recorded from Dokploy v0.30.2 (sim_shapes.py; the legacy v0.22 layout keeps its hand-written
shapes). Deploys, start/stop, deployment logs and containers live in sim_deploy.DeployMixin.
"""

from __future__ import annotations

import queue
import re
import threading
from datetime import datetime, timedelta, timezone

import sim_shapes as shapes
import sim_validation as v
from compose_runtime import ComposeRuntime
from sim_containers import ContainerBook
from sim_deploy import COMPOSE_ID, DeployJob, DeployMixin
from sim_faults import FaultBook
from sim_validation import ApiError, not_found

COMPOSE_TYPES = ("docker-compose", "stack")
SOURCE_TYPES = ("git", "github", "gitlab", "bitbucket", "gitea", "raw")
STATUSES = ("idle", "running", "done", "error")
USER_ID = "sim-user"
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
APP_NAME = v.matching(r"^[a-zA-Z0-9._-]+$",
                      "App name can only contain letters, numbers, dots, underscores and hyphens")
# deployment.readLogs appeared in Dokploy v0.29.5 (Dokploy/dokploy 558d80987).
READ_LOGS_SINCE = (0, 29, 5)
# Error bodies carry data{code, httpStatus, path, zodError} and zod 4 texts since v0.28.0 (zod ^4.3.6).
MODERN_ERRORS_SINCE = (0, 28, 0)
EMPTY = object()  # a procedure result answered as 200 with an empty body


def parse_server(text: str) -> tuple[str, str, str]:
    """Parse a --server "ID:NAME:IP" argument."""
    parts = text.split(":", 2)
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"--server expects ID:NAME:IP, got {text!r}")
    return parts[0], parts[1], parts[2]


class DokployModel(DeployMixin):
    """The simulated Dokploy state and procedures; thread-safe."""

    def __init__(self, runtime: ComposeRuntime, faults: FaultBook, *, legacy: bool, version: str,
                 deploy_seconds: float, servers=(), read_logs: bool = True):
        self.legacy = legacy
        self.version = version
        self.modern_errors = not legacy and version_tuple(version) >= MODERN_ERRORS_SINCE
        self.read_logs = read_logs and not legacy and version_tuple(version) >= READ_LOGS_SINCE
        self._runtime = runtime
        self._faults = faults
        self._deploy_seconds = deploy_seconds
        self._lock = threading.RLock()
        self._last_time: datetime | None = None
        self._projects: dict[str, dict] = {}
        self._environments: dict[str, dict] = {}
        self._composes: dict[str, dict] = {}
        self._deployments: dict[str, list[dict]] = {}
        self._logs: dict[str, list[str]] = {}
        self._parsed: dict[str, dict | None] = {}
        self._deployed: set[str] = set()
        self._deleted: list[dict] = []
        self._containers = ContainerBook()
        self._created_at = self._timestamp()
        self._servers = {sid: shapes.server_row(sid, name, ip, self._timestamp()) for sid, name, ip in servers}
        self._queue: queue.Queue[DeployJob] = queue.Queue()
        self._routes = self._build_routes()
        threading.Thread(target=self._deploy_worker, name="deploy-queue", daemon=True).start()

    def method_of(self, procedure: str) -> str | None:
        """HTTP method of a procedure, or None if it does not exist in this layout."""
        route = self._routes.get(procedure)
        return route[0] if route else None

    def call(self, procedure: str, data) -> object:
        """Run a procedure on its (already decoded) input; raises ApiError. EMPTY: answer an empty body."""
        return self._routes[procedure][1](data)

    def validate(self, data, required: dict, optional: dict | None = None) -> dict:
        return v.validate(data, required, optional, modern=self.modern_errors)

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
            "compose.redeploy": ("POST", lambda data: self._compose_deploy(data, "compose.redeploy")),
            "compose.start": ("POST", self._compose_start),
            "compose.stop": ("POST", self._compose_stop),
            "compose.delete": ("POST", self._compose_delete),
            "server.all": ("GET", self._server_all),
            "server.one": ("GET", self._server_one),
            "deployment.allByCompose": ("GET", self._deployments_by_compose),
            "docker.getContainersByAppNameMatch": ("GET", self._containers_by_app_name),
            "compose.readLogs": ("GET", self._container_logs),
        }
        if not self.legacy:
            routes["environment.create"] = ("POST", self._environment_create)
            routes["environment.byProjectId"] = ("GET", self._environments_by_project)
        if self.read_logs:
            routes["deployment.readLogs"] = ("GET", self._read_logs)
        return routes

    def _user_get(self, data) -> dict:
        return {"id": "sim-member", "userId": USER_ID, "organizationId": shapes.ORGANIZATION_ID,
                "role": "owner", "createdAt": self._created_at,
                "user": {"id": USER_ID, "name": "Simulated Admin", "email": "admin@example.com"}}

    def _server_all(self, data) -> list:
        with self._lock:
            return [{**s, "totalSum": sum(1 for c in self._composes.values() if c.get("serverId") == sid)}
                    for sid, s in self._servers.items()]

    def _server_one(self, data) -> dict:
        data = self.validate(data, {"serverId": v.nonempty_string})
        server = self._servers.get(data["serverId"])
        if server is None:
            raise not_found("Server")
        return shapes.server_one_view(server)

    def _project_all(self, data) -> list:
        with self._lock:
            return [self._project_view(p) for p in self._projects.values()]

    def _project_one(self, data) -> dict:
        data = self.validate(data, {"projectId": v.nonempty_string})
        with self._lock:
            project = self._find(self._projects, data["projectId"], "Project")
            if self.legacy:
                return self._project_view(project)
            environments = []
            for environment in self._environments_of(project["projectId"]):
                lists = {k: val for k, val in self._environment_view(environment).items() if isinstance(val, list)}
                environments.append({**environment, **lists})
            return {**project, "environments": environments, "projectTags": []}

    def _project_create(self, data) -> dict:
        data = self.validate(data, {"name": v.nonempty_string}, {"description": v.nullable_string, "env": v.string})
        with self._lock:
            project = shapes.project_row(data["name"], data.get("description"), data.get("env", ""),
                                         self._timestamp())
            self._projects[project["projectId"]] = project
            if self.legacy:
                return dict(project)
            environment = self._new_environment(project["projectId"], "production", "Production environment",
                                                default=True)
            return {"project": dict(project), "environment": dict(environment)}

    def _project_remove(self, data) -> dict:
        """Delete the project's rows only; running workspaces keep running (orphans)."""
        data = self.validate(data, {"projectId": v.nonempty_string})
        with self._lock:
            project = self._find(self._projects, data["projectId"], "Project")
            env_ids = {e["environmentId"] for e in self._environments_of(project["projectId"])}
            for compose_id in [cid for cid, c in self._composes.items()
                               if c.get("projectId") == project["projectId"] or c.get("environmentId") in env_ids]:
                self._forget_compose(compose_id)
            for env_id in env_ids:
                del self._environments[env_id]
            return dict(self._projects.pop(project["projectId"]))

    def _environment_create(self, data) -> dict:
        data = self.validate(data, {"name": v.nonempty_string, "projectId": v.nonempty_string},
                             {"description": v.nullable_string})
        with self._lock:
            if data["projectId"] not in self._projects:
                raise self._environment_insert_failed(data)
            return dict(self._new_environment(data["projectId"], data["name"], data.get("description")))

    def _environment_insert_failed(self, data: dict) -> ApiError:
        """What Dokploy answers when the environment's foreign key fails: its SQL, as recorded."""
        columns = '"environmentId", "name", "description", "createdAt", "env", "projectId", "isDefault"'
        return ApiError(400, "BAD_REQUEST", (
            f'Error creating the environment: Failed query: insert into "environment" ({columns}) values '
            f"($1, $2, default, $3, default, $4, default) returning {columns}\n"
            f"params: {shapes.new_id()},{data['name']},{self._timestamp()},{data['projectId']}"))

    def _environments_by_project(self, data) -> list:
        data = self.validate(data, {"projectId": v.nonempty_string})
        with self._lock:
            return [self._environment_view(e) for e in self._environments_of(data["projectId"])]

    def _new_environment(self, project_id: str, name: str, description, default: bool = False) -> dict:
        environment = shapes.environment_row(project_id, name, description, self._timestamp(), default)
        self._environments[environment["environmentId"]] = environment
        return environment

    def _environments_of(self, project_id: str) -> list[dict]:
        return [e for e in self._environments.values() if e["projectId"] == project_id]

    def _project_view(self, project: dict) -> dict:
        composes = list(self._composes.values())
        if self.legacy:
            return shapes.legacy_project_view(project, composes)
        return shapes.project_all_view(project, self._environments_of(project["projectId"]), composes)

    def _environment_view(self, environment: dict) -> dict:
        return shapes.environment_view(environment, self._projects[environment["projectId"]],
                                       list(self._composes.values()), self._servers)

    def _compose_create(self, data) -> dict:
        parent_key = "projectId" if self.legacy else "environmentId"
        optional = {"description": v.nullable_string, "composeType": v.one_of(*COMPOSE_TYPES),
                    "appName": v.nonempty_string if self.legacy else APP_NAME, "serverId": v.nullable_string}
        if not self.legacy and version_tuple(self.version) >= (0, 30, 0):
            optional.update(composeFile=v.string, sourceType=v.one_of(*SOURCE_TYPES))
        data = self.validate(data, {"name": v.nonempty_string, parent_key: v.nonempty_string}, optional)
        with self._lock:
            if self.legacy:
                self._find(self._projects, data[parent_key], "Project")
            else:
                self._find(self._environments, data[parent_key], "Environment")
            if data.get("serverId") and data["serverId"] not in self._servers:
                if self.legacy:
                    raise not_found("Server")
                raise ApiError(401, "UNAUTHORIZED", "You are not authorized to access this server")
            make = shapes.legacy_compose_row if self.legacy else shapes.compose_row
            compose = make(data, self._timestamp())
            self._composes[compose["composeId"]] = compose
            return dict(compose)

    def _compose_one(self, data) -> dict:
        data = self.validate(data, COMPOSE_ID)
        with self._lock:
            return self._compose_view(self._find_compose(data["composeId"]))

    def _compose_view(self, compose: dict, for_delete: bool = False) -> dict:
        if self.legacy:
            environment, project = None, self._projects[compose["projectId"]]
        else:
            environment = self._environments[compose["environmentId"]]
            project = self._projects[environment["projectId"]]
        server = self._servers.get(compose.get("serverId") or "")
        return shapes.compose_view(compose, environment, project, server,
                                   self._deployments.get(compose["composeId"], []), for_delete)

    def _compose_update(self, data):
        """The updated row; a missing composeId answers 200 with an empty body (as recorded)."""
        data = self.validate(data, COMPOSE_ID, UPDATABLE_COMPOSE_FIELDS)
        with self._lock:
            compose = self._composes.get(data.pop("composeId"))
            if compose is None:
                if self.legacy:
                    raise not_found("Compose")
                return EMPTY
            compose.update(data)
            return dict(compose)

    def _compose_delete(self, data) -> dict:
        data = self.validate(data, COMPOSE_ID, {"deleteVolumes": v.anything})
        compose_id = data["composeId"]
        delete_volumes = v.js_truthy(data.get("deleteVolumes"))
        with self._lock:
            self._find_compose(compose_id)
        self._runtime.down(compose_id)
        with self._lock:
            compose = self._find_compose(compose_id)
            view = self._compose_view(compose, for_delete=True)
            self._containers.remove(compose["appName"])
            self._deleted.append({"composeId": compose_id, "name": compose["name"], "appName": compose["appName"],
                                  "deleteVolumes": delete_volumes, "parsed": self._parsed.get(compose_id),
                                  "deletedAt": self._timestamp()})
            self._forget_compose(compose_id)
            return view

    def _forget_compose(self, compose_id: str) -> dict:
        """Drop a compose row and everything hanging off it (not its processes or containers)."""
        for deployment in self._deployments.pop(compose_id, []):
            self._logs.pop(deployment["deploymentId"], None)
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
                "legacy": self.legacy, "version": self.version, "readLogs": self.read_logs,
                "projects": {k: dict(p) for k, p in self._projects.items()},
                "environments": {k: dict(e) for k, e in self._environments.items()},
                "composes": composes,
                "deployments": {k: [dict(d) for d in h] for k, h in self._deployments.items()},
                "deletedComposes": [dict(d) for d in self._deleted],
                "orphans": orphans,
                "containers": self._containers.snapshot(),
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


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])
