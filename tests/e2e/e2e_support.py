# SPDX-License-Identifier: MIT
"""What the end-to-end lanes share: the peers e2e.py prepared (E2E_* variables), step timings, the provider
binary, the real Dokploy's API and docker shim, the real DevPod CLI in a throwaway home. Runs inside the
peer's loopback-only network namespace, like everything the lanes start."""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.environ.get("E2E_ROOT") or os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from harness import free_port_range, run_process, wait_until  # noqa: E402  (after the path is set)

ANSI = re.compile(rb"\x1b\[[0-9;]*m")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def need(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise unittest.SkipTest(f"{variable} is not set: run the lanes through `make e2e` (tests/e2e/e2e.py)")
    return value


def run_id() -> str:
    """A short random suffix, so that runs sharing one Dokploy database never meet."""
    return secrets.token_hex(3)


class Steps:
    """Times named steps of a lane into E2E_TIMINGS (one JSON line each), for e2e.py's summary."""

    def __init__(self, lane: str):
        self.lane = lane

    @contextlib.contextmanager
    def step(self, name: str):
        start = time.monotonic()
        ok = False
        try:
            yield
            ok = True
        finally:
            row = {"lane": self.lane, "step": name, "seconds": round(time.monotonic() - start, 1), "ok": ok}
            with open(need("E2E_TIMINGS"), "a", encoding="utf-8") as file:
                file.write(json.dumps(row) + "\n")


def base_env() -> dict:
    return {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}


class Provider:
    """The provider binary under test (at a path with a space)."""

    def __init__(self):
        self.binary = need("E2E_BINARY")

    def __call__(self, args, env: dict, stdin: bytes | None = None, timeout: float = 300):
        return run_process([self.binary, *args], {**base_env(), **env}, stdin, timeout)


class DokployApi:
    """The real Dokploy's REST API, for what a user would do in its UI and for checking outcomes."""

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = url or need("E2E_DOKPLOY_URL")
        self.token = token or need("E2E_DOKPLOY_TOKEN")

    def call(self, procedure: str, params: dict | None = None, body=None, token: str | None = None):
        """(status, decoded JSON or text or None)."""
        url = f"{self.url}/api/{procedure}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        headers = {"x-api-key": self.token if token is None else token}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with _NO_PROXY.open(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw.strip() else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def ok(self, procedure: str, params: dict | None = None, body=None):
        status, value = self.call(procedure, params, body)
        if not 200 <= status < 300:
            raise AssertionError(f"{procedure} answered {status}: {value}")
        return value

    def project(self, name: str) -> dict | None:
        return next((p for p in self.ok("project.all") if p["name"] == name), None)

    def composes_named(self, project_name: str, service: str) -> list[dict]:
        project = self.project(project_name)
        if project is None:
            return []
        found = []
        for environment in project.get("environments", []):
            found += [dict(c, environmentName=environment["name"]) for c in environment.get("compose", [])
                      if c["name"] == service]
        return found

    def remove_project(self, name: str) -> None:
        """Deletes the project's services (their sshds too), then the project: what a test made."""
        project = self.project(name)
        if project is None:
            return
        for environment in project.get("environments", []):
            for compose in environment.get("compose", []):
                self.call("compose.delete", body={"composeId": compose["composeId"], "deleteVolumes": True})
        self.call("project.remove", body={"projectId": project["projectId"]})


def create_default_api_key(url: str, name: str) -> str:
    """An API key made through Dokploy's API with its defaults (10 verifications a day), as the peer's admin
    (peers/dokploy/README.md) would: sign in, then tRPC user.createApiKey without rateLimitEnabled."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar))
    headers = {"Origin": "http://localhost:3000", "Content-Type": "application/json"}

    def post(path: str, body) -> object:
        request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers=headers, method="POST")
        with opener.open(request, timeout=120) as response:
            return json.loads(response.read())

    post("/api/auth/sign-in/email", {"email": "admin@example.com", "password": "Password123!"})
    request = urllib.request.Request(url + "/api/auth/organization/list", headers=headers)
    with opener.open(request, timeout=60) as response:
        organization = json.loads(response.read())[0]["id"]
    answer = post("/api/trpc/user.createApiKey?batch=1",
                  {"0": {"json": {"name": name, "metadata": {"organizationId": organization}}}})
    return answer[0]["result"]["data"]["json"]["key"]


class DockerShim:
    """The peer's stand-in docker: its fault switch and call log."""

    def __init__(self):
        self.state = os.path.join(need("E2E_DOKPLOY_RUN"), "docker-shim")

    def fail_next_up(self, text: str) -> None:
        os.makedirs(self.state, exist_ok=True)
        with open(os.path.join(self.state, "fail-next-up"), "w", encoding="utf-8") as file:
            file.write(text)

    def pending_failure(self) -> bool:
        return os.path.exists(os.path.join(self.state, "fail-next-up"))

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.state, "fail-next-up"))


def render_dev_manifest(binary: str, output: str) -> None:
    """The manifest `make provider-dev` writes, for `binary` (Makefile target provider-dev-manifest)."""
    subprocess.run(["make", "-s", "-C", ROOT, "provider-dev-manifest", f"DEV_BINARY={binary}", f"DEV_MANIFEST={output}"],
                   check=True, capture_output=True)


class AgentServer:
    """Serves the DevPod binary as devpod-linux-amd64 on 127.0.0.1, where DEVPOD_AGENT_URL sends the agent
    injection (nothing leaves the machine). Stopped by PID."""

    def __init__(self, devpod: str):
        self.folder = tempfile.mkdtemp(prefix="dp-e2e-agent-")
        shutil.copy(devpod, os.path.join(self.folder, "devpod-linux-amd64"))
        low, _ = free_port_range(1)
        self.url = f"http://127.0.0.1:{low}/"
        self.process = subprocess.Popen([sys.executable, "-m", "http.server", str(low), "--bind", "127.0.0.1",
                                         "--directory", self.folder], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(lambda: _http_ok(self.url + "devpod-linux-amd64"), timeout=10, what="the agent download server")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _http_ok(url: str) -> bool:
    try:
        with _NO_PROXY.open(urllib.request.Request(url, method="HEAD"), timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class DevPod:
    """The real DevPod CLI with its own DEVPOD_HOME and HOME (temp), telemetry off, the agent from AgentServer.
    Output has DevPod's colour codes removed."""

    def __init__(self, agent: AgentServer):
        self.binary = need("E2E_DEVPOD")
        self.home = tempfile.mkdtemp(prefix="dp-e2e-devpod-home-")
        self.env = {"PATH": os.environ["PATH"], "HOME": self.home, "DEVPOD_HOME": os.path.join(self.home, ".devpod"),
                    "DEVPOD_DISABLE_TELEMETRY": "true", "DEVPOD_AGENT_URL": agent.url}

    def __call__(self, *args, timeout: float = 300) -> subprocess.CompletedProcess:
        result = run_process([self.binary, *args], self.env, timeout=timeout)
        return subprocess.CompletedProcess(result.args, result.returncode, ANSI.sub(b"", result.stdout),
                                           ANSI.sub(b"", result.stderr))

    def cleanup(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


def output_of(result: subprocess.CompletedProcess) -> str:
    return (result.stdout + result.stderr).decode(errors="replace")
