# SPDX-License-Identifier: MIT
"""The simulator's stand-in for `docker compose up/stop/down`.

A workspace is one compose project. Bringing it up allocates its published
ports on 127.0.0.1 (holding a listening socket for ordinary ports, as
docker-proxy would) and starts a real OpenSSH sshd for every service that
publishes container port 22, configured from the service's SSH_HOST_KEY and
SSH_AUTHORIZED_KEYS environment variables. Processes are stopped by PID.
"""

from __future__ import annotations

import base64
import binascii
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from compose_file import ComposeError, ComposeSpec, ServiceSpec

SSHD_READY_TIMEOUT = 5.0
STOP_GRACE_SECONDS = 3.0
PRIVSEP_DIR = "/run/sshd"


@dataclass
class SshdProcess:
    """A running (or crashed) sshd that stands for one service's container."""

    service: str
    port: int
    directory: str
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def to_json(self) -> dict:
        return {"service": self.service, "pid": self.pid, "port": self.port, "alive": self.alive()}


@dataclass
class Workspace:
    """Everything one compose project holds while it is up."""

    compose_id: str
    app_name: str
    sshds: list[SshdProcess] = field(default_factory=list)
    held_sockets: list[socket.socket] = field(default_factory=list)
    ports: set[int] = field(default_factory=set)


class ComposeRuntime:
    """Starts and stops workspaces; thread-safe."""

    def __init__(self, state_dir: str, sshd_path: str):
        self._state_dir = os.path.abspath(state_dir)
        self._sshd_path = sshd_path
        self._operation_lock = threading.Lock()  # serialises up/down/kill
        self._lock = threading.Lock()  # guards _workspaces
        self._workspaces: dict[str, Workspace] = {}
        self._closed = False

    def up(self, compose_id: str, app_name: str, spec: ComposeSpec, sshd: str = "run") -> None:
        """(Re)create the workspace: replaces a previous one; raises ComposeError.

        sshd: "run" (default) starts sshd on port-22 bindings; "closed" leaves those ports closed;
        "blackhole" holds them with a listening socket that never accepts (connects hang, no banner).
        """
        with self._operation_lock:
            if self._closed:
                raise ComposeError("the simulator is shutting down")
            self._down_locked(compose_id)
            workspace = Workspace(compose_id, app_name)
            try:
                for service in spec.services:
                    self._start_service(workspace, service, sshd)
            except BaseException:
                _stop_workspace(workspace)
                raise
            with self._lock:
                self._workspaces[compose_id] = workspace

    def down(self, compose_id: str) -> bool:
        """Stop and forget a workspace's processes; False if there was none."""
        with self._operation_lock:
            return self._down_locked(compose_id)

    def kill_sshd(self, compose_id: str) -> list[int]:
        """SIGKILL a workspace's sshds (simulated crash); returns the killed PIDs."""
        with self._operation_lock:
            with self._lock:
                workspace = self._workspaces.get(compose_id)
            if workspace is None:
                return []
            killed = [s.pid for s in workspace.sshds if s.alive()]
            for sshd in workspace.sshds:
                _terminate(sshd.process, signal.SIGKILL)
            return killed

    def stop_all(self) -> None:
        """Stop every workspace and refuse new ones (used at exit)."""
        with self._operation_lock:
            self._closed = True
            with self._lock:
                ids = list(self._workspaces)
            for compose_id in ids:
                self._down_locked(compose_id)

    def sshd_info(self, compose_id: str) -> list[dict]:
        """JSON description of a workspace's sshds ([] when it is down)."""
        with self._lock:
            workspace = self._workspaces.get(compose_id)
            return [s.to_json() for s in workspace.sshds] if workspace else []

    def app_name_of(self, compose_id: str) -> str | None:
        """The compose project name of a workspace that is up, else None."""
        with self._lock:
            workspace = self._workspaces.get(compose_id)
            return workspace.app_name if workspace else None

    def workspace_ids(self) -> list[str]:
        """Compose ids of every workspace that is up."""
        with self._lock:
            return list(self._workspaces)

    def _down_locked(self, compose_id: str) -> bool:
        with self._lock:
            workspace = self._workspaces.pop(compose_id, None)
        if workspace is None:
            return False
        _stop_workspace(workspace)
        return True

    def _ports_in_use(self) -> set[int]:
        with self._lock:
            return {port for w in self._workspaces.values() for port in w.ports}

    def _start_service(self, workspace: Workspace, service: ServiceSpec, sshd: str = "run") -> None:
        """Allocate the service's ports, then run sshd for its port-22 bindings."""
        container = f"{workspace.app_name}-{service.name}-1"
        ssh_ports = []
        for binding in service.ports:
            if binding.protocol != "tcp":
                continue
            port = binding.host_port or _free_port()
            held = self._claim_port(workspace, container, port)
            if binding.is_ssh() and sshd == "blackhole":
                held.listen(64)  # never accepted: connects complete, no SSH banner ever comes
                workspace.held_sockets.append(held)
            elif binding.is_ssh():
                held.close()
                if sshd == "run":
                    ssh_ports.append(port)
            else:
                held.listen()
                workspace.held_sockets.append(held)
        if not service.privileged:
            raise ComposeError(
                f"container {container} exited (1): failed to start the Docker daemon: "
                "docker-in-docker needs privileged mode (set privileged: true)"
            )
        for port in ssh_ports:
            workspace.sshds.append(self._start_sshd(workspace, service, port))

    def _claim_port(self, workspace: Workspace, container: str, port: int) -> socket.socket:
        """Bind 127.0.0.1:port or raise Docker's "port is already allocated"."""
        failure = ComposeError(
            "Error response from daemon: driver failed programming external connectivity "
            f"on endpoint {container}: Bind for 127.0.0.1:{port} failed: port is already allocated"
        )
        if port in workspace.ports or port in self._ports_in_use():
            raise failure
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            raise failure from None
        workspace.ports.add(port)
        return sock

    def _start_sshd(self, workspace: Workspace, service: ServiceSpec, port: int) -> SshdProcess:
        """Write the sshd files for a service and start sshd; raises ComposeError."""
        directory = os.path.join(self._state_dir, workspace.app_name, service.name)
        os.makedirs(directory, exist_ok=True)
        host_key = _host_key_bytes(service.environment.get("SSH_HOST_KEY"))
        _write_file(os.path.join(directory, "ssh_host_key"), host_key, 0o600)
        authorized = service.environment.get("SSH_AUTHORIZED_KEYS", "").strip() + "\n"
        _write_file(os.path.join(directory, "authorized_keys"), authorized.encode(), 0o600)
        config_path = os.path.join(directory, "sshd_config")
        _write_file(config_path, _sshd_config(directory, port).encode(), 0o600)
        os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
        with open(os.path.join(directory, "sshd.log"), "wb") as log:
            process = subprocess.Popen(
                [self._sshd_path, "-D", "-e", "-f", config_path],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        sshd = SshdProcess(service.name, port, directory, process)
        _wait_until_listening(sshd, f"{workspace.app_name}-{service.name}-1")
        return sshd


def _sshd_config(directory: str, port: int) -> str:
    """sshd_config for a workspace: loopback only, public-key auth only."""
    return "\n".join([
        "ListenAddress 127.0.0.1",
        f"Port {port}",
        f"HostKey {directory}/ssh_host_key",
        f"PidFile {directory}/sshd.pid",
        f"AuthorizedKeysFile {directory}/authorized_keys",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "Subsystem sftp internal-sftp",
        "",
    ])


def _host_key_bytes(value: str | None) -> bytes:
    """Decode SSH_HOST_KEY (base64 of an OpenSSH private key file)."""
    if not value:
        raise ComposeError("sshd: no hostkeys available -- exiting. (SSH_HOST_KEY is not set)")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ComposeError("SSH_HOST_KEY is not valid base64") from None


def _wait_until_listening(sshd: SshdProcess, container: str) -> None:
    """Wait until sshd accepts connections; raise ComposeError with its log if it died."""
    deadline = time.monotonic() + SSHD_READY_TIMEOUT
    while time.monotonic() < deadline:
        if not sshd.alive():
            raise ComposeError(
                f"container {container} exited ({sshd.process.returncode}): {_read_log(sshd)}"
            )
        try:
            with socket.create_connection(("127.0.0.1", sshd.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    _terminate(sshd.process, signal.SIGTERM)
    raise ComposeError(f"container {container} did not open port {sshd.port}: {_read_log(sshd)}")


def _read_log(sshd: SshdProcess) -> str:
    try:
        path = os.path.join(sshd.directory, "sshd.log")
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()[-2000:]
    except OSError:
        return ""


def _stop_workspace(workspace: Workspace) -> None:
    """Stop every sshd (and its sessions) and release every held port."""
    for sshd in workspace.sshds:
        _terminate(sshd.process, signal.SIGTERM)
    for sock in workspace.held_sockets:
        sock.close()
    workspace.sshds.clear()
    workspace.held_sockets.clear()
    workspace.ports.clear()


def _terminate(process: subprocess.Popen, sig: int) -> None:
    """Signal a process and its descendants by PID; SIGKILL whatever outlives the grace time."""
    if process.poll() is not None:
        return
    descendants = _descendants(process.pid)
    for pid in [process.pid, *descendants]:
        _signal_pid(pid, sig)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for pid in descendants:
        while _pid_running(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _pid_running(pid):
            _signal_pid(pid, signal.SIGKILL)


def _signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _descendants(root: int) -> list[int]:
    """PIDs of all descendants of `root` (sshd's per-connection processes)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _proc_stat(int(entry))
        if stat:
            children.setdefault(int(stat[1]), []).append(int(entry))
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: [state, ppid, ...]."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rpartition(")")[2].split()
    except OSError:
        return None


def _pid_running(pid: int) -> bool:
    """True while a PID exists and is not a zombie."""
    stat = _proc_stat(pid)
    return bool(stat) and stat[0] != "Z"


def _free_port() -> int:
    """An ephemeral port for a binding without a host port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_file(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
