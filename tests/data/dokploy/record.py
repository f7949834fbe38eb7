#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Re-record the Dokploy answers in this folder from a running Dokploy server (stdlib only).

    record.py --url http://127.0.0.1:3000 --token-file TOKEN [--fail-file FILE] [--login EMAIL:PASSWORD]

Runs the provider's procedures against the server with its own `rec-` project, environment, compose service and
(throwaway) SSH key + remote server rows, writes each answer to `<out>/<fixture>` (JSON pretty-printed with a
2-space indent, values unchanged; an empty body stays an empty file), lists them in `<out>/recordings.json`, and
deletes everything it created, also on failure. Error bodies lose `data.stack` (sent in development mode only).
Secrets are replaced: the SSH host private key in the compose file by REDACTED_SSH_HOST_KEY_BASE64, API keys by
REDACTED_API_KEY. `project.all` and `server.all` keep only the rows this run created (other users' rows are
dropped, each kept row is unchanged).

--fail-file: the docker stand-in's fail-next-up file (peers/dokploy: WORKDIR/run/docker-shim/fail-next-up); with
it the failed-deploy answers are recorded too. --login: an account of the server, used to create an API key with
the API's default rate limit (10 verifications a day) and record its 401 once spent; the key is deleted after.
--fuzz-dir: also copy every fixture there (the fuzz seed corpus).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
HOST_KEY_PLACEHOLDER = "REDACTED_SSH_HOST_KEY_BASE64"
API_KEY_PLACEHOLDER = "REDACTED_API_KEY"
DEPLOY_TIMEOUT = 120.0


class Server:
    """HTTP to one Dokploy server; every answer is (status, headers (an email.message.Message), raw body)."""

    def __init__(self, url: str, token: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.token = token

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def get(self, procedure: str, params: dict | None = None, token: str | None = None):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.request("GET", f"/api/{procedure}{query}",
                            headers={"x-api-key": self.token if token is None else token})

    def post(self, procedure: str, value, token: str | None = None,
             content_type: str = "application/json"):
        return self.request("POST", f"/api/{procedure}", json.dumps(value).encode(),
                            {"x-api-key": self.token if token is None else token,
                             "Content-Type": content_type})


class Recorder:
    """Writes fixtures and remembers what was recorded."""

    def __init__(self, out: str, secret_values: dict[str, str]):
        self.out = out
        self.secrets = secret_values
        self.index: dict[str, dict] = {}

    def add_secret(self, value: str, placeholder: str) -> None:
        if value:
            self.secrets[value] = placeholder

    def save(self, name: str, answer, request: dict, note: str = "", keep=None):
        """Store an answer under `name`; keep(value) filters a JSON array; returns the decoded JSON."""
        status, headers, raw = answer
        value = json.loads(raw) if raw.strip() else None
        if keep is not None:
            value = [item for item in value if keep(item)]
        if isinstance(value, dict) and isinstance(value.get("data"), dict):
            value["data"].pop("stack", None)
        value = self._masked(value)
        text = "" if value is None and not raw.strip() else \
            json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        with open(os.path.join(self.out, name), "w", encoding="utf-8") as f:
            f.write(text)
        self.index[name] = {"request": self._masked(request), "status": status,
                            "contentType": headers.get("Content-Type"), "note": note}
        print(f"{status} {request['method']} {request['procedure']:34} -> {name}", flush=True)
        return value

    def _masked(self, value):
        if isinstance(value, str):
            for secret, placeholder in self.secrets.items():
                value = value.replace(secret, placeholder)
            return value
        if isinstance(value, list):
            return [self._masked(v) for v in value]
        if isinstance(value, dict):
            return {k: self._masked(v) for k, v in value.items()}
        return value

    def write_index(self, version: str, url: str) -> None:
        """recordings.json: this run's entries over those of files a previous run recorded."""
        path = os.path.join(self.out, "recordings.json")
        fixtures = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                fixtures = json.load(f).get("fixtures", {})
        fixtures.update(self.index)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"server": version, "url": url,
                       "recordedAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "fixtures": dict(sorted(fixtures.items()))}, f, indent=2, ensure_ascii=False)
            f.write("\n")


def req(method: str, procedure: str, **fields) -> dict:
    return {"method": method, "procedure": procedure, **fields}


def must(answer, what: str):
    status, _, raw = answer
    if not 200 <= status < 300:
        raise RuntimeError(f"{what} answered {status}: {raw[:500]!r}")
    return json.loads(raw) if raw.strip() else None


def ssh_keypair(directory: str) -> tuple[str, str]:
    """A throwaway ed25519 key: (base64 of the private key file, public key line)."""
    path = os.path.join(directory, "key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rec", "-f", path], check=True)
    with open(path, "rb") as f:
        private = base64.b64encode(f.read()).decode()
    with open(path + ".pub", encoding="utf-8") as f:
        return private, f.read().strip()


def free_port(low: int, high: int) -> int:
    for port in range(low, high + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port in {low}-{high}")


def compose_file(port: int, host_key: str, authorized: str) -> str:
    return "\n".join([
        "services:",
        "  workspace:",
        "    image: cruizba/ubuntu-dind:latest",
        "    privileged: true",
        "    restart: unless-stopped",
        "    ports:",
        f'      - "{port}:22"',
        "    environment:",
        f'      SSH_AUTHORIZED_KEYS: "{authorized}"',
        f'      SSH_HOST_KEY: "{host_key}"',
        "    volumes:",
        '      - "workspace:/workspace"',
        "volumes:",
        "  workspace: {}",
        "",
    ])


def wait_deploy(server: Server, compose_id: str, title: str) -> dict:
    """Poll until the deployment titled `title` has finished; returns it."""
    deadline = time.monotonic() + DEPLOY_TIMEOUT
    while time.monotonic() < deadline:
        for deployment in must(server.get("deployment.allByCompose", {"composeId": compose_id}),
                               "deployment.allByCompose"):
            if deployment["title"] == title and deployment["status"] != "running":
                status = must(server.get("compose.one", {"composeId": compose_id}),
                              "compose.one")["composeStatus"]
                if status != "running":
                    return deployment
        time.sleep(1)
    raise RuntimeError(f"deployment {title!r} did not finish within {DEPLOY_TIMEOUT} s")


class Session:
    """The recording run; `cleanup` holds undo steps, run in reverse order."""

    def __init__(self, server: Server, rec: Recorder, args):
        self.server, self.rec, self.args = server, rec, args
        self.cleanup: list[tuple[str, callable]] = []
        self.tag = "rec-" + secrets.token_hex(3)

    def run(self) -> str:
        s, rec = self.server, self.rec
        version = rec.save("current_settings.getDokployVersion.json",
                           s.get("settings.getDokployVersion"),
                           req("GET", "settings.getDokployVersion"))
        self._errors_without_state()
        project_body = {"name": f"{self.tag}-project", "description": "recorded by record.py"}
        created = rec.save("current_project.create.json", s.post("project.create", project_body),
                           req("POST", "project.create", body=project_body))
        project_id = created["project"]["projectId"]
        self.cleanup.append(("project.remove", lambda: s.post("project.remove", {"projectId": project_id})))
        env_body = {"name": f"{self.tag}-env", "projectId": project_id, "description": ""}
        rec.save("current_environment.create.json", s.post("environment.create", env_body),
                               req("POST", "environment.create", body=env_body))
        environment_id = created["environment"]["environmentId"]
        compose_body = {"name": f"{self.tag}-ws", "description": "DevPod workspace (recorded)",
                        "environmentId": environment_id, "composeType": "docker-compose"}
        compose = rec.save("current_compose.create.json", s.post("compose.create", compose_body),
                           req("POST", "compose.create", body=compose_body))
        compose_id, app_name = compose["composeId"], compose["appName"]
        self.cleanup.append(("compose.delete", lambda: s.post(
            "compose.delete", {"composeId": compose_id, "deleteVolumes": True})))
        rec.save("current_environment.byProjectId.json",
                 s.get("environment.byProjectId", {"projectId": project_id}),
                 req("GET", "environment.byProjectId", query={"projectId": project_id}),
                 "the project's default environment (with the compose) and the one made by environment.create")

        never = {"composeId": compose_id}
        rec.save("error_500_compose_start_before_deploy.json", s.post("compose.start", never),
                 req("POST", "compose.start", body=never),
                 "before the first deploy: the compose folder does not exist yet (composeStatus becomes idle)")
        rec.save("error_500_compose_stop_before_deploy.json", s.post("compose.stop", never),
                 req("POST", "compose.stop", body=never),
                 "before the first deploy (composeStatus becomes error)")
        with tempfile.TemporaryDirectory(prefix="rec-keys-") as keys:
            host_key, authorized = ssh_keypair(keys)
        rec.add_secret(host_key, HOST_KEY_PLACEHOLDER)
        port = free_port(*self.args.ssh_ports)
        update = {"composeId": compose_id, "sourceType": "raw",
                  "composeFile": compose_file(port, host_key, authorized),
                  "env": f"WORKSPACE_PORT={port}"}
        rec.save("current_compose.update.json", s.post("compose.update", update),
                 req("POST", "compose.update", body=update))

        title = f"devpod create {self.tag} ok"
        deploy = {"composeId": compose_id, "title": title}
        rec.save("current_compose.deploy.json", s.post("compose.deploy", deploy),
                 req("POST", "compose.deploy", body=deploy))
        done = wait_deploy(s, compose_id, title)
        rec.save("current_compose.one.json", s.get("compose.one", {"composeId": compose_id}),
                 req("GET", "compose.one", query={"composeId": compose_id}), "after a successful deploy")
        rec.save("current_deployment.allByCompose.json",
                 s.get("deployment.allByCompose", {"composeId": compose_id}),
                 req("GET", "deployment.allByCompose", query={"composeId": compose_id}),
                 "after one successful deploy")
        logs = {"deploymentId": done["deploymentId"], "tail": 100}
        rec.save("current_deployment.readLogs_done.json", s.get("deployment.readLogs", logs),
                 req("GET", "deployment.readLogs", query=logs), "the log of the successful deploy")
        match = {"appName": app_name, "appType": "docker-compose"}
        rec.save("current_docker.getContainersByAppNameMatch.json",
                 s.get("docker.getContainersByAppNameMatch", match),
                 req("GET", "docker.getContainersByAppNameMatch", query=match),
                 "with the docker stand-in, whose `docker ps` prints one empty line: a placeholder item")
        container_logs = {"composeId": compose_id, "containerId": "0123456789ab", "tail": 20}
        rec.save("current_compose.readLogs.json", s.get("compose.readLogs", container_logs),
                 req("GET", "compose.readLogs", query=container_logs),
                 "`docker logs` of a container the stand-in does not know: it prints nothing")
        rec.save("current_project.all.json", s.get("project.all"), req("GET", "project.all"),
                 "only the project this run created is kept",
                 keep=lambda p: p.get("projectId") == project_id)
        stop = {"composeId": compose_id}
        rec.save("current_compose.stop.json", s.post("compose.stop", stop),
                 req("POST", "compose.stop", body=stop))
        if self.args.fail_file:
            with open(self.args.fail_file, "w", encoding="utf-8") as f:
                f.write(self._docker_error(app_name, port) + "\n")
            try:
                rec.save("error_500_compose_start.json", s.post("compose.start", stop),
                         req("POST", "compose.start", body=stop),
                         "docker compose up failed (composeStatus becomes idle)")
            finally:
                if os.path.exists(self.args.fail_file):
                    os.remove(self.args.fail_file)
        rec.save("current_compose.start.json", s.post("compose.start", stop),
                 req("POST", "compose.start", body=stop))

        if self.args.fail_file:
            self._failed_deploy(compose_id, app_name, port)
        self._servers(created["project"]["organizationId"])

        delete = {"composeId": compose_id, "deleteVolumes": True}
        rec.save("current_compose.delete.json", s.post("compose.delete", delete),
                 req("POST", "compose.delete", body=delete))
        self._drop("compose.delete")
        remove = {"projectId": project_id}
        rec.save("current_project.remove.json", s.post("project.remove", remove),
                 req("POST", "project.remove", body=remove))
        self._drop("project.remove")
        if self.args.login:
            self._rate_limited()
        return version

    def _failed_deploy(self, compose_id: str, app_name: str, port: int) -> None:
        s, rec = self.server, self.rec
        text = self._docker_error(app_name, port)
        title = f"devpod create {self.tag} fail"
        with open(self.args.fail_file, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        try:
            must(s.post("compose.deploy", {"composeId": compose_id, "title": title}), "compose.deploy")
            failed = wait_deploy(s, compose_id, title)
        finally:
            if os.path.exists(self.args.fail_file):
                os.remove(self.args.fail_file)
        rec.save("current_deployment.allByCompose_error.json",
                 s.get("deployment.allByCompose", {"composeId": compose_id}),
                 req("GET", "deployment.allByCompose", query={"composeId": compose_id}),
                 "after a failed deploy (docker compose up failed: " + text + ")")
        logs = {"deploymentId": failed["deploymentId"], "tail": 100}
        rec.save("current_deployment.readLogs.json", s.get("deployment.readLogs", logs),
                 req("GET", "deployment.readLogs", query=logs), "the log of the failed deploy")
        rec.save("current_compose.one_error.json", s.get("compose.one", {"composeId": compose_id}),
                 req("GET", "compose.one", query={"composeId": compose_id}), "after the failed deploy")

    @staticmethod
    def _docker_error(app_name: str, port: int) -> str:
        return ("Error response from daemon: driver failed programming external connectivity on endpoint "
                f"{app_name}-workspace-1: Bind for 0.0.0.0:{port} failed: port is already allocated")

    def _errors_without_state(self) -> None:
        s, rec = self.server, self.rec
        rec.save("error_401_unauthorized.json", s.get("project.all", token="wrong-" + self.tag),
                 req("GET", "project.all", token="wrong"), "a wrong API key")
        rec.save("error_415_content_type.json",
                 s.post("project.create", {"name": "x"}, content_type="text/plain"),
                 req("POST", "project.create", contentType="text/plain"), "POST without a JSON content type")
        rec.save("error_404_route.json", s.get("compose.deploy", {"composeId": "x"}),
                 req("GET", "compose.deploy"), "GET on a mutation")
        rec.save("error_404_unknown_procedure.json", s.get("compose.noSuchProcedure"),
                 req("GET", "compose.noSuchProcedure"), "a procedure that does not exist")
        missing = f"{self.tag}-missing"
        rec.save("error_404_compose.json", s.get("compose.one", {"composeId": missing}),
                 req("GET", "compose.one", query={"composeId": missing}))
        rec.save("error_404_compose_deploy.json", s.post("compose.deploy", {"composeId": missing}),
                 req("POST", "compose.deploy", body={"composeId": missing}))
        rec.save("current_compose.update_missing.json",
                 s.post("compose.update", {"composeId": missing, "description": "x"}),
                 req("POST", "compose.update", body={"composeId": missing, "description": "x"}),
                 "a missing composeId: 200 with an empty body")
        rec.save("current_environment.byProjectId_unknown.json",
                 s.get("environment.byProjectId", {"projectId": missing}),
                 req("GET", "environment.byProjectId", query={"projectId": missing}))
        env_body = {"name": "x", "projectId": missing}
        rec.save("error_400_environment_create.json", s.post("environment.create", env_body),
                 req("POST", "environment.create", body=env_body), "an unknown projectId")
        invalid = {"name": "", "composeType": "docker-compose"}
        rec.save("error_400_validation.json", s.post("compose.create", invalid),
                 req("POST", "compose.create", body=invalid), "no environmentId, an empty name")
        enum = {"composeId": missing, "sourceType": "svn"}
        rec.save("error_400_validation_enum.json", s.post("compose.update", enum),
                 req("POST", "compose.update", body=enum), "a value outside an enum")
        logs = {"deploymentId": missing, "tail": 10}
        rec.save("error_404_deployment.json", s.get("deployment.readLogs", logs),
                 req("GET", "deployment.readLogs", query=logs), "an unknown deploymentId")
        rec.save("error_404_server.json", s.get("server.one", {"serverId": missing}),
                 req("GET", "server.one", query={"serverId": missing}), "an unknown serverId")

    def _servers(self, organization_id: str) -> None:
        """A throwaway SSH key and remote server row (TEST-NET address, nothing connects) for server.*."""
        s, rec = self.server, self.rec
        with tempfile.TemporaryDirectory(prefix="rec-keys-") as keys:
            public = ssh_keypair(keys)[1]
            with open(os.path.join(keys, "key"), encoding="utf-8") as f:
                private = f.read()
        rec.add_secret(private.strip(), "REDACTED_SSH_PRIVATE_KEY")
        key_name = f"{self.tag}-key"
        must(s.post("sshKey.create", {"name": key_name, "description": "recorded by record.py",
                                      "privateKey": private, "publicKey": public,
                                      "organizationId": organization_id}), "sshKey.create")
        ssh_key_id = next(k["sshKeyId"] for k in must(s.get("sshKey.all"), "sshKey.all")
                          if k["name"] == key_name)
        self.cleanup.append(("sshKey.remove", lambda: s.post("sshKey.remove", {"sshKeyId": ssh_key_id})))
        server_body = {"name": f"{self.tag}-server", "description": "recorded by record.py",
                       "ipAddress": "192.0.2.10", "port": 22, "username": "root", "sshKeyId": ssh_key_id,
                       "serverType": "deploy", "enableDockerCleanup": False}
        created = must(s.post("server.create", server_body), "server.create")
        server_id = created["serverId"]
        self.cleanup.append(("server.remove", lambda: s.post("server.remove", {"serverId": server_id})))
        rec.save("current_server.all.json", s.get("server.all"), req("GET", "server.all"),
                 "only the server row this run created is kept", keep=lambda r: r.get("serverId") == server_id)
        rec.save("current_server.one.json", s.get("server.one", {"serverId": server_id}),
                 req("GET", "server.one", query={"serverId": server_id}))
        must(s.post("server.remove", {"serverId": server_id}), "server.remove")
        self._drop("server.remove")
        must(s.post("sshKey.remove", {"sshKeyId": ssh_key_id}), "sshKey.remove")
        self._drop("sshKey.remove")

    def _rate_limited(self) -> None:
        """An API key made with the API's defaults (10 verifications a day), spent, then deleted."""
        s, rec = self.server, self.rec
        email, _, password = self.args.login.partition(":")
        origin = {"Origin": f"http://{s.host}:{s.port}", "Content-Type": "application/json"}
        status, headers, raw = s.request("POST", "/api/auth/sign-in/email",
                                         json.dumps({"email": email, "password": password}).encode(), origin)
        if status != 200:
            raise RuntimeError(f"sign-in answered {status}: {raw[:200]!r}")
        cookie = "; ".join(value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or [])
        session = {**origin, "Cookie": cookie}
        status, _, raw = s.request("GET", "/api/auth/organization/list", headers=session)
        organization = json.loads(raw)[0]["id"]
        call = {"0": {"json": {"name": f"{self.tag}-limited", "metadata": {"organizationId": organization}}}}
        status, _, raw = s.request("POST", "/api/trpc/user.createApiKey?batch=1", json.dumps(call).encode(),
                                   session)
        created = json.loads(raw)[0]["result"]["data"]["json"]
        key, key_id = created["key"], created["id"]
        rec.add_secret(key, API_KEY_PLACEHOLDER)
        delete = {"0": {"json": {"apiKeyId": key_id}}}
        self.cleanup.append(("user.deleteApiKey", lambda: s.request(
            "POST", "/api/trpc/user.deleteApiKey?batch=1", json.dumps(delete).encode(), session)))
        statuses = []
        for _ in range(20):
            answer = s.get("settings.getDokployVersion", token=key)
            statuses.append(answer[0])
            if answer[0] == 401:
                rec.save("error_401_rate_limited.json", answer, req("GET", "settings.getDokployVersion",
                                                                    token="rate-limited key"),
                         f"a key created with the API's defaults, after {len(statuses) - 1} good calls "
                         f"(statuses {statuses})")
                break
        else:
            raise RuntimeError(f"the default-limited key never answered 401: {statuses}")
        status, _, raw = s.request("POST", "/api/trpc/user.deleteApiKey?batch=1", json.dumps(delete).encode(),
                                   session)
        if status == 200:
            self._drop("user.deleteApiKey")
        else:
            print(f"deleting the rate-limited key answered {status}: {raw[:200]!r}", file=sys.stderr)

    def _drop(self, name: str) -> None:
        self.cleanup = [(n, f) for n, f in self.cleanup if n != name]

    def undo(self) -> None:
        for name, step in reversed(self.cleanup):
            try:
                status = step()[0]
                print(f"cleanup {name}: {status}", file=sys.stderr)
            except Exception as exc:  # keep cleaning up
                print(f"cleanup {name} failed: {exc}", file=sys.stderr)
        self.cleanup.clear()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the Dokploy server, e.g. http://127.0.0.1:3000")
    parser.add_argument("--token-file", required=True, help="file holding an API key without a rate limit")
    parser.add_argument("--out", default=HERE, help="fixture folder (default: this folder)")
    parser.add_argument("--fuzz-dir", help="also copy the fixtures there (tests/fuzz/corpus/dokploy_json)")
    parser.add_argument("--fail-file", help="the docker stand-in's fail-next-up file")
    parser.add_argument("--login", metavar="EMAIL:PASSWORD", help="record the rate-limit 401 with a new key")
    parser.add_argument("--ssh-ports", default="42250-42299", help="range for the workspace's SSH port")
    args = parser.parse_args(argv)
    low, _, high = args.ssh_ports.partition("-")
    args.ssh_ports = (int(low), int(high or low))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    with open(args.token_file, encoding="utf-8") as f:
        token = f.read().strip()
    server = Server(args.url, token)
    recorder = Recorder(args.out, {token: API_KEY_PLACEHOLDER})
    session = Session(server, recorder, args)
    try:
        version = session.run()
    finally:
        session.undo()
    recorder.write_index(version, args.url)
    if args.fuzz_dir:
        for name in recorder.index:
            shutil.copyfile(os.path.join(args.out, name), os.path.join(args.fuzz_dir, name))
    print(f"recorded {len(recorder.index)} answers of Dokploy {version} into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
