# SPDX-License-Identifier: MIT
"""The JSON shapes of the simulated Dokploy, as recorded from Dokploy v0.30.2 (tests/data/dokploy/current_*).

Row builders (what Dokploy's tables hold), the views each procedure answers with, generated names, and the
deployment log text. The legacy (v0.22) shapes are the simulator's earlier hand-written ones.
"""

from __future__ import annotations

import re
import secrets
import string as _string
import textwrap
import unicodedata

NANOID_ALPHABET = _string.ascii_letters + _string.digits + "_-"
SUFFIX_ALPHABET = _string.ascii_lowercase + _string.digits
ORGANIZATION_ID = "sim-organization"
# project.all / environment.byProjectId service lists, in the recorded order (libsql after compose).
SERVICE_LISTS = ("applications", "mariadb", "mongo", "mysql", "postgres", "redis", "compose", "libsql")
LEGACY_SERVICE_LISTS = ("applications", "compose", "mariadb", "mongo", "mysql", "postgres", "redis")
LEGACY_COMPOSE_SUMMARY = ("composeId", "name", "appName", "description", "composeStatus", "composeType",
                          "sourceType", "serverId", "environmentId", "projectId", "createdAt")
PROJECT_KEYS = ("projectId", "name", "description", "createdAt", "organizationId", "env")
ENVIRONMENT_KEYS = ("environmentId", "name", "description", "createdAt", "env", "projectId", "isDefault")
# faker's hacker words, which Dokploy's generateAppName draws from (a selection).
VERBS = ("back up", "bypass", "hack", "override", "compress", "copy", "navigate", "index", "connect",
         "generate", "quantify", "calculate", "synthesize", "input", "transmit", "program", "reboot", "parse")
ADJECTIVES = ("auxiliary", "primary", "back-end", "digital", "open-source", "virtual", "cross-platform",
              "redundant", "online", "haptic", "multi-byte", "bluetooth", "wireless", "1080p", "neural",
              "optical", "solid state", "mobile")
NOUNS = ("driver", "protocol", "bandwidth", "panel", "microchip", "program", "port", "card", "array",
         "interface", "system", "sensor", "firewall", "hard drive", "pixel", "alarm", "feed", "monitor",
         "application", "transmitter", "bus", "circuit", "capacitor", "matrix")
BOX_WIDTH = 80


def new_id() -> str:
    return random_text(NANOID_ALPHABET, 21)


def random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "compose"


def app_name(kind: str, requested: str | None) -> str:
    """Dokploy's buildAppName: `<appName>-<6>` when one is asked for, else `<kind>-<verb>-<adj>-<noun>-<6>`."""
    suffix = random_text(SUFFIX_ALPHABET, 6)
    if requested:
        return f"{requested.strip().replace(' ', '-').lower()}-{suffix}"
    words = [secrets.choice(words).replace(" ", "-") for words in (VERBS, ADJECTIVES, NOUNS)]
    return f"{kind}-{'-'.join(words)}-{suffix}"


def project_row(name: str, description, env: str, now: str) -> dict:
    return {"projectId": new_id(), "name": name, "description": description, "createdAt": now,
            "organizationId": ORGANIZATION_ID, "env": env}


def environment_row(project_id: str, name: str, description, now: str, default: bool) -> dict:
    return {"environmentId": new_id(), "name": name, "description": description, "createdAt": now,
            "env": "", "projectId": project_id, "isDefault": default}


def compose_row(data: dict, now: str) -> dict:
    """A new compose row (v0.30.2 columns and defaults)."""
    row = {
        "composeId": new_id(), "name": data["name"], "appName": app_name("compose", data.get("appName")),
        "description": data.get("description"), "env": None, "composeFile": data.get("composeFile") or "",
        "refreshToken": new_id(), "sourceType": data.get("sourceType", "github"),
        "composeType": data.get("composeType", "docker-compose"), "repository": None, "owner": None,
        "branch": None, "autoDeploy": True,
    }
    for key in ("gitlabProjectId", "gitlabRepository", "gitlabOwner", "gitlabBranch", "gitlabPathNamespace",
                "bitbucketRepository", "bitbucketRepositorySlug", "bitbucketOwner", "bitbucketBranch",
                "giteaRepository", "giteaOwner", "giteaBranch", "customGitUrl", "customGitBranch",
                "customGitSSHKeyId"):
        row[key] = None
    row.update({
        "command": "", "createEnvFile": True, "enableSubmodules": False, "composePath": "./docker-compose.yml",
        "suffix": "", "randomize": False, "isolatedDeployment": False, "isolatedDeploymentsVolume": False,
        "triggerType": "push", "composeStatus": "idle", "icon": None, "environmentId": data["environmentId"],
        "createdAt": now, "watchPaths": None, "githubId": None, "gitlabId": None, "bitbucketId": None,
        "giteaId": None, "serverId": data.get("serverId"), "serviceNetworks": [],
    })
    return row


def legacy_compose_row(data: dict, now: str) -> dict:
    """A compose row of the v0.22 layout (hand-written shape)."""
    row = {
        "composeId": new_id(), "name": data["name"],
        "appName": f"{slug(data.get('appName') or data['name'])}-{random_text(SUFFIX_ALPHABET, 6)}",
        "description": data.get("description"), "env": "", "composeFile": "", "refreshToken": new_id(),
        "sourceType": "github", "composeType": data.get("composeType", "docker-compose"), "repository": None,
        "owner": None, "branch": None, "autoDeploy": True, "customGitUrl": None, "customGitBranch": None,
        "command": "", "composePath": "./docker-compose.yml", "suffix": "", "randomize": False,
        "isolatedDeployment": False, "triggerType": "push", "composeStatus": "idle",
        "projectId": data["projectId"], "createdAt": now, "serverId": data.get("serverId"), "watchPaths": None,
    }
    return row


def deployment_row(compose: dict, title: str, description, log_path: str, now: str, legacy: bool) -> dict:
    if legacy:
        return {"deploymentId": new_id(), "composeId": compose["composeId"], "title": title,
                "description": description, "status": "running", "errorMessage": None, "createdAt": now,
                "startedAt": now, "finishedAt": None}
    return {"deploymentId": new_id(), "title": title, "description": description or "", "status": "running",
            "logPath": log_path, "pid": None, "applicationId": None, "composeId": compose["composeId"],
            "serverId": compose.get("serverId"), "isPreviewDeployment": False, "previewDeploymentId": None,
            "createdAt": now, "startedAt": now, "finishedAt": None, "errorMessage": None, "scheduleId": None,
            "backupId": None, "rollbackId": None, "volumeBackupId": None, "buildServerId": None}


def server_row(server_id: str, name: str, ip: str, now: str) -> dict:
    return {"serverId": server_id, "name": name, "description": "", "ipAddress": ip, "port": 22,
            "username": "root", "appName": f"server-{slug(name)}", "enableDockerCleanup": False,
            "buildsConcurrency": 1, "createdAt": now, "organizationId": ORGANIZATION_ID, "serverStatus": "active",
            "serverType": "deploy", "command": "", "sshKeyId": f"{server_id}-key",
            "metricsConfig": {"server": {"port": 4500, "type": "Remote", "token": "", "cronJob": "",
                                         "thresholds": {"cpu": 0, "memory": 0}, "refreshRate": 60,
                                         "urlCallback": "", "retentionDays": 2},
                              "containers": {"services": {"exclude": [], "include": []}, "refreshRate": 60}}}


def server_one_view(server: dict) -> dict:
    key = {"sshKeyId": server["sshKeyId"], "privateKey": "", "publicKey": "ssh-ed25519 AAAA... sim",
           "name": f"{server['name']} key", "description": "", "createdAt": server["createdAt"],
           "lastUsedAt": None, "organizationId": ORGANIZATION_ID}
    return {**server, "deployments": [], "sshKey": key}


def project_all_view(project: dict, environments: list[dict], composes: list[dict]) -> dict:
    """One project.all entry: environments with only name/environmentId/isDefault + service summaries."""
    view = {k: project[k] for k in PROJECT_KEYS}
    view["environments"] = []
    for environment in environments:
        entry = {"name": environment["name"], "environmentId": environment["environmentId"],
                 "isDefault": environment["isDefault"]}
        entry.update(_service_lists(
            [{"composeId": c["composeId"], "name": c["name"], "composeStatus": c["composeStatus"]}
             for c in composes if c["environmentId"] == environment["environmentId"]]))
        view["environments"].append(entry)
    view["projectTags"] = []
    return view


def environment_view(environment: dict, project: dict, composes: list[dict], servers: dict) -> dict:
    """One environment.byProjectId item: no top-level projectId, a nested project."""
    view = {k: environment[k] for k in ("name", "description", "environmentId", "isDefault")}
    summaries = []
    for c in composes:
        if c["environmentId"] == environment["environmentId"]:
            server = servers.get(c.get("serverId") or "")
            summaries.append({"name": c["name"], "description": c["description"], "appName": c["appName"],
                              "createdAt": c["createdAt"], "serverId": c.get("serverId"),
                              "composeId": c["composeId"], "composeStatus": c["composeStatus"],
                              "icon": c.get("icon"), "server": dict(server) if server else None})
    view.update(_service_lists(summaries))
    view["project"] = {k: project[k] for k in PROJECT_KEYS}
    return view


def legacy_project_view(project: dict, composes: list[dict]) -> dict:
    view = dict(project)
    lists = {kind: [] for kind in LEGACY_SERVICE_LISTS}
    lists["compose"] = [{k: c[k] for k in LEGACY_COMPOSE_SUMMARY if k in c} for c in composes
                        if c.get("projectId") == project["projectId"]]
    view.update(lists)
    return view


def compose_view(compose: dict, environment: dict | None, project: dict, server: dict | None,
                 deployments: list[dict], for_delete: bool = False) -> dict:
    """compose.one (and compose.delete, which lacks the two git-provider members): the row plus relations."""
    view = dict(compose)
    if environment is None:  # legacy
        view["project"] = dict(project)
        view["server"] = dict(server) if server else None
        view["deployments"] = [dict(d) for d in deployments]
        view["domains"], view["mounts"] = [], []
        return view
    view["environment"] = {**{k: environment[k] for k in ENVIRONMENT_KEYS},
                           "project": {k: project[k] for k in PROJECT_KEYS}}
    view["deployments"] = [dict(d) for d in reversed(deployments)]  # oldest first, unlike allByCompose
    view.update({"mounts": [], "domains": [], "github": None, "gitlab": None, "bitbucket": None, "gitea": None,
                 "server": dict(server) if server else None, "backups": []})
    if not for_delete:
        view.update({"hasGitProviderAccess": True, "unauthorizedProvider": None})
    return view


def _service_lists(compose_summaries: list[dict]) -> dict:
    lists = {kind: [] for kind in SERVICE_LISTS}
    lists["compose"] = compose_summaries
    return lists


def log_path(app: str, stamp: str) -> str:
    """Where Dokploy writes a deployment's log: /etc/dokploy/logs/<app>/<app>-YYYY-MM-DD:HH:MM:SS.log."""
    return f"/etc/dokploy/logs/{app}/{app}-{stamp[:10]}:{stamp[11:19]}.log"


def deploy_log_head(compose: dict) -> list[str]:
    """The lines Dokploy logs before it runs `docker compose up` (the recorded format)."""
    app = compose["appName"]
    source = "docker raw" if compose["sourceType"] == "raw" else compose["sourceType"]
    content = ["", f"App Name: {app}", "Build Compose 🐳", "Detected: 0 mounts 📂",
               *textwrap.wrap(f"Command: docker compose -p {app} -f docker-compose.yml up -d --build "
                              "--remove-orphans", BOX_WIDTH - 4, break_on_hyphens=False, break_long_words=False),
               f"Source Type: {source} ✅", f"Compose Type: {compose['composeType']} ✅", ""]
    inner = BOX_WIDTH - 2
    lines = ["Initializing deployment", "File 'docker-compose.yml' created: ✅", "╔" + "═" * inner + "╗"]
    for text in content:
        padding = BOX_WIDTH - 4 - _display_width(text)
        lines.append(("║" + " " * inner + "║") if not text else f"║ {text}{' ' * padding} ║")
    lines.append("╚" + "═" * inner + "╝")
    return lines


def deploy_log_tail(error: str | None, services: list[str], app: str) -> list[str]:
    """What follows the head: the containers started, or Docker's error and Dokploy's failure lines."""
    if error is None:
        return [f" Container {app}-{service}-1  Started" for service in services] + ["Docker Compose Deployed: ✅"]
    return [*error.splitlines(), "Error: ❌ Docker command failed", "",
            "Error occurred ❌, check the logs for details."]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
