# SPDX-License-Identifier: MIT
"""Helpers for the provider's integration tests (stdlib only).

- Simulator: runs tests/simulator/dokploy_sim.py on a free port (context manager), HTTP or HTTPS.
- run_provider / provider_env: run the built provider binary the way DevPod would.
- free_port_range / unreachable_url / wait_until: small test utilities.

The provider binary comes from $DOKPLOY_PROVIDER_BIN, the simulator script from
$DOKPLOY_SIM (default: ../simulator/dokploy_sim.py next to this file).
"""

from __future__ import annotations

import atexit
import glob
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SIM = os.path.normpath(os.path.join(HERE, "..", "simulator", "dokploy_sim.py"))
START_TIMEOUT = 10.0
STOP_GRACE = 5.0

# No proxies: every URL here is 127.0.0.1, whatever http_proxy says. The harness's own HTTPS requests
# (health check, control API of a --tls-cert simulator) do not verify the certificate: they only reach the
# simulator this harness started, and tests may give it a deliberately untrusted or misnamed one.
_UNVERIFIED_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
_UNVERIFIED_TLS.check_hostname = False
_UNVERIFIED_TLS.verify_mode = ssl.CERT_NONE
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                      urllib.request.HTTPSHandler(context=_UNVERIFIED_TLS))
_live_simulators: set["Simulator"] = set()


def http_request(url: str, method: str = "GET", data: bytes | None = None,
                 headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    """One HTTP(S) request; returns (status, headers, body) for every status, raises on I/O errors.
    HTTPS certificates are not verified (see _UNVERIFIED_TLS)."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


class Simulator:
    """A dokploy_sim.py process on 127.0.0.1; use as a context manager or start()/stop().

    servers: iterable of (id, name, ip) tuples or "ID:NAME:IP" strings.
    tls_cert, tls_key: PEM files; when given the simulator serves HTTPS and `url` is https://127.0.0.1:PORT.
    rate_limit: the token answers 401 after that many requests (--rate-limit); read_logs=False: no
    deployment.readLogs (--no-read-logs).
    """

    def __init__(self, token: str = "test-token", legacy: bool = False,
                 deploy_seconds: float = 0.2, servers=(), version: str | None = None,
                 extra_args=(), verbose: bool = True, tls_cert: str | None = None,
                 tls_key: str | None = None, rate_limit: int | None = None, read_logs: bool = True):
        if (tls_cert is None) != (tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        self.token = token
        self.tls = tls_cert is not None
        self.port: int | None = None
        self.url: str | None = None
        self._args = ["--token", token, "--deploy-seconds", str(deploy_seconds)]
        self._args += ["--tls-cert", tls_cert, "--tls-key", tls_key] if self.tls else []
        self._args += ["--legacy"] if legacy else []
        self._args += ["--version", version] if version else []
        self._args += ["--rate-limit", str(rate_limit)] if rate_limit is not None else []
        self._args += [] if read_logs else ["--no-read-logs"]
        for server in servers:
            self._args += ["--server", server if isinstance(server, str) else ":".join(server)]
        self._args += ["--verbose"] if verbose else []
        self._args += list(extra_args)
        self._process: subprocess.Popen | None = None
        self._dir: str | None = None
        self._log_text = ""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def process(self) -> subprocess.Popen | None:
        return self._process

    def start(self) -> "Simulator":
        """Start the simulator and wait until /api/health answers; raises RuntimeError."""
        self._dir = tempfile.mkdtemp(prefix="dokploy-sim-test-")
        port_file = os.path.join(self._dir, "port")
        command = [_sim_python(), os.environ.get("DOKPLOY_SIM") or DEFAULT_SIM,
                   "--port", "0", "--port-file", port_file,
                   "--state-dir", os.path.join(self._dir, "state"), *self._args]
        with open(self._log_path(), "wb") as log:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT)
        _live_simulators.add(self)
        try:
            self._wait_ready(port_file)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM the simulator (SIGKILL after 5 s), kill any sshd it left, remove its files."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._dir is not None:
            _kill_leftover_sshds(os.path.join(self._dir, "state"))
            self._log_text = self.log_text()
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        _live_simulators.discard(self)

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()
        if exc_type is not None:
            sys.stderr.write(f"--- simulator log (tail) ---\n{self.log_text()[-4000:]}\n")

    def log_text(self) -> str:
        """The simulator's stdout+stderr so far (kept after stop())."""
        if self._dir is None:
            return self._log_text
        try:
            with open(self._log_path(), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def call(self, procedure: str, params: dict | None = None, body=None,
             token: str | None = None, method: str | None = None) -> tuple[int, object]:
        """Call /api/<procedure>, POST with JSON when body is given; returns (status, JSON|None)."""
        method = method or ("GET" if body is None else "POST")
        url = f"{self.url}/api/{procedure}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"x-api-key": self.token if token is None else token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, _, raw = http_request(url, method, data, headers)
        return status, _json_or_none(raw)

    def api(self, procedure: str, params: dict | None = None, body=None):
        """Like call() but returns the JSON and raises AssertionError on a non-2xx answer."""
        status, value = self.call(procedure, params, body)
        if not 200 <= status < 300:
            raise AssertionError(f"{procedure} answered {status}: {value}")
        return value

    def state(self) -> dict:
        return self._control("GET", "/__sim/state")

    def requests(self) -> list[dict]:
        return self._control("GET", "/__sim/requests")

    def clear_requests(self) -> None:
        self._control("POST", "/__sim/requests/clear")

    def add_fault(self, **rule) -> list[dict]:
        return self.add_faults([rule])

    def add_faults(self, rules: list[dict]) -> list[dict]:
        return self._control("POST", "/__sim/faults", rules)

    def faults(self) -> list[dict]:
        return self._control("GET", "/__sim/faults")

    def clear_faults(self) -> None:
        self._control("DELETE", "/__sim/faults")

    def kill_sshd(self, compose_id: str) -> list[int]:
        """Kill a workspace's sshd (simulated crash); returns the killed PIDs."""
        return self._control("POST", "/__sim/kill-sshd", {"composeId": compose_id})["killed"]

    def exit_container(self, compose_id: str) -> list[str]:
        """End a workspace's containers as if their main process exited (0); returns the services."""
        return self._control("POST", "/__sim/exit-container", {"composeId": compose_id})["exited"]

    def rotate_token(self, token: str) -> None:
        """The API key becomes `token`; the old one is refused from now on (a key revoked in Dokploy)."""
        self._control("POST", "/__sim/token", {"token": token})
        self.token = token

    def reset_rate_limit(self, **limit) -> dict:
        """Restart the --rate-limit count; reset_rate_limit(limit=N or None) also changes the limit."""
        return self._control("POST", "/__sim/rate-limit/reset", limit)

    def deployment_log(self, compose_id: str, tail: int | None = None) -> str:
        """deployment.readLogs of a compose's latest deployment."""
        deployment = self.api("deployment.allByCompose", {"composeId": compose_id})[0]
        query = {"deploymentId": deployment["deploymentId"]} | ({"tail": tail} if tail else {})
        return self.api("deployment.readLogs", query)

    def _control(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        status, _, raw = http_request(self.url + path, method, data, headers)
        if status != 200:
            raise AssertionError(f"simulator control {method} {path} answered {status}: {raw!r}")
        return _json_or_none(raw)

    def _log_path(self) -> str:
        return os.path.join(self._dir, "sim.log")

    def _wait_ready(self, port_file: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"simulator exited with {self._process.returncode}:\n"
                                   f"{self.log_text()}")
            if self.port is None and os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as f:
                    self.port = int(f.read().strip())
                self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
            if self.port is not None and _health_ok(self.url):
                return
            time.sleep(0.05)
        raise RuntimeError(f"simulator not ready after {START_TIMEOUT} s:\n{self.log_text()}")


def provider_binary() -> str:
    """$DOKPLOY_PROVIDER_BIN; skips the test when unset, fails when not executable."""
    path = os.environ.get("DOKPLOY_PROVIDER_BIN")
    if not path:
        raise unittest.SkipTest("DOKPLOY_PROVIDER_BIN is not set (ctest sets it to the binary)")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(f"DOKPLOY_PROVIDER_BIN={path} is not an executable file")
    return path


def run_provider(args, env_overrides: dict | None = None, stdin: bytes | str | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the provider with a clean environment (PATH, HOME + overrides; None unsets).

    Returns a CompletedProcess with bytes stdout/stderr. On timeout, kills the
    provider's process group and raises AssertionError with its output.
    """
    args = [args] if isinstance(args, str) else list(args)
    command = [provider_binary(), *args]
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    for key, value in (env_overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return run_process(command, env, stdin, timeout)


def run_process(command: list[str], env: dict, stdin: bytes | str | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs `command` with exactly `env` in a session of its own; bytes out, stdin /dev/null unless given.
    On timeout, kills its process group and raises AssertionError with its output."""
    if isinstance(stdin, str):
        stdin = stdin.encode()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_process_group(process)
        stdout, stderr = process.communicate()
        raise AssertionError(
            f"{os.path.basename(command[0])} {' '.join(command[1:3])} timed out after {timeout} s and was killed\n"
            f"--- stdout ---\n{stdout.decode(errors='replace')}\n"
            f"--- stderr ---\n{stderr.decode(errors='replace')}"
        ) from None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def provider_env(sim: Simulator, machine_id: str | None = None,
                 machine_folder: str | None = None, **extra) -> dict:
    """The environment DevPod would pass: server URL, token, MACHINE_* when given, extras."""
    env = {"DOKPLOY_SERVER_URL": sim.url, "DOKPLOY_API_TOKEN": sim.token}
    if machine_id is not None:
        env["MACHINE_ID"] = machine_id
    if machine_folder is not None:
        env["MACHINE_FOLDER"] = str(machine_folder)
    env.update({key: value if value is None else str(value) for key, value in extra.items()})
    return env


def _ephemeral_low() -> int:
    """The first port the kernel hands out as a connection's local port (Linux; 32768 elsewhere)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
            return int(ranges.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_range(n: int, low: int = 20000, high: int | None = None) -> tuple[int, int]:
    """n consecutive free TCP ports on 127.0.0.1 within [low, high]; returns (first, last). By default below the
    ephemeral range, where any test's outgoing connection could take a port between the check and its use."""
    high = high if high is not None else _ephemeral_low() - 1
    rng = random.Random(os.urandom(8))
    for _ in range(200):
        first = rng.randint(low, high - n + 1)
        if all(_port_free(port) for port in range(first, first + n)):
            return first, first + n - 1
    raise RuntimeError(f"no {n} consecutive free ports in {low}-{high}")


def unreachable_url() -> str:
    """An http://127.0.0.1:<port> URL where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def wait_until(predicate, timeout: float = 10, interval: float = 0.05, what: str = "condition"):
    """Poll predicate() until it returns something truthy (returned); AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def _sim_python() -> str:
    """The simulator's interpreter: $DOKPLOY_SIM_PYTHON, Debian's python3 (has yaml), or ours."""
    if os.environ.get("DOKPLOY_SIM_PYTHON"):
        return os.environ["DOKPLOY_SIM_PYTHON"]
    return "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def _health_ok(url: str) -> bool:
    try:
        return http_request(url + "/api/health", timeout=1)[0] == 200
    except OSError:
        return False


def _json_or_none(raw: bytes):
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group led by `process` (started with start_new_session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _kill_leftover_sshds(state_dir: str) -> None:
    """Kill sshds a dead simulator left behind, found by their pid files, and wait for them."""
    killed = []
    for pid_file in glob.glob(os.path.join(state_dir, "*", "*", "sshd.pid")):
        config = os.path.join(os.path.dirname(pid_file), "sshd_config")
        try:
            with open(pid_file, encoding="utf-8") as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if config.encode() not in f.read():
                    continue  # not our sshd (exited, PID reused)
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except (OSError, ValueError):
            continue
    deadline = time.monotonic() + STOP_GRACE
    while any(_pid_running(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.02)


def _pid_running(pid: int) -> bool:
    """True while a PID exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _stop_live_simulators() -> None:
    for simulator in list(_live_simulators):
        simulator.stop()


atexit.register(_stop_live_simulators)
