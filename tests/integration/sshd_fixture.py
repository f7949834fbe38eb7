# SPDX-License-Identifier: MIT
"""A throwaway OpenSSH sshd on 127.0.0.1 for tests and benchmarks (stdlib only).

    with Sshd(host_key=path, authorized_keys=[pub_line]) as sshd:
        ... connect to 127.0.0.1:sshd.port ...

The daemon runs in the foreground (`sshd -D -e -f CONFIG`) from its own temp folder, and is stopped
by PID together with its per-connection children (which sshd puts in their own sessions, so a
process-group kill would miss them). Also: make_machine_folder() writes the MACHINE_FOLDER layout
`dokploy-provider command` expects, and generate_key() wraps ssh-keygen.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
PRIVSEP_DIR = "/run/sshd"
READY_TIMEOUT = 10.0
STOP_GRACE = 3.0


def generate_key(path: str, comment: str = "test") -> str:
    """Writes an unencrypted ed25519 key pair at path / path.pub; returns the public key line."""
    for stale in (path, path + ".pub"):
        if os.path.exists(stale):
            os.unlink(stale)
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with open(path + ".pub", encoding="ascii") as public:
        return public.read().strip()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every live descendant of pid (children first-level first), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def kill_pids(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def master_pids(under: str) -> list[int]:
    """The provider's shared-connection masters (`__ssh-master`) whose socket lies under the folder `under`."""
    prefix = os.path.join(os.path.abspath(under), "").encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except OSError:
            continue
        if b"__ssh-master" in args and "--socket".encode() in args:
            socket_path = args[args.index(b"--socket") + 1]
            if socket_path.startswith(prefix):
                pids.append(int(entry))
    return pids


def stop_masters(under: str) -> None:
    """Stops (by PID) every shared-connection master of the machine folders under `under`."""
    kill_pids(master_pids(under))


class Sshd:
    """One sshd process on 127.0.0.1:port; a context manager (start on enter, stop on exit)."""

    def __init__(self, host_key: str | None = None, authorized_keys: tuple[str, ...] | list[str] = (),
                 extra_config: str = ""):
        self.directory = tempfile.mkdtemp(prefix="dp-sshd-")
        self.host_key = host_key or os.path.join(self.directory, "ssh_host_ed25519_key")
        if host_key is None:
            generate_key(self.host_key, "throwaway-host")
        self.authorized_keys = os.path.join(self.directory, "authorized_keys")
        with open(self.authorized_keys, "w", encoding="ascii") as out:
            out.write("".join(line + "\n" for line in authorized_keys))
        self.extra_config = extra_config
        self.log_path = os.path.join(self.directory, "sshd.log")
        self.port = 0
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Sshd":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, port: int | None = None) -> None:
        """Starts sshd on a free port, or on `port` (a restart where it was)."""
        os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
        for _attempt in range(5):  # the free port may be taken between probe and bind
            self.port = port or free_port()
            config = os.path.join(self.directory, "sshd_config")
            with open(config, "w", encoding="ascii") as out:
                out.write(self._config())
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=log)
            if self._wait_ready():
                return
            self._stop_process()
        raise RuntimeError(f"sshd did not start; log:\n{self.log()}")

    def _config(self) -> str:
        return "\n".join([
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key}",
            f"PidFile {os.path.join(self.directory, 'sshd.pid')}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PrintMotd no",
            "MaxStartups 64",
            "LogLevel INFO",
            # Debian's bash sources ~/.bashrc for commands run by sshd unless SHLVL says it is nested;
            # this keeps whatever this machine's .bashrc does (pyenv init: ~1 s) out of the timings.
            "SetEnv SHLVL=1",
            self.extra_config,
        ]) + "\n"

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    if conn.recv(64).startswith(b"SSH-2.0-"):
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    def authorize(self, *lines: str) -> None:
        """Adds public key lines to authorized_keys (sshd reads it at each login)."""
        with open(self.authorized_keys, "a", encoding="ascii") as out:
            out.write("".join(line + "\n" for line in lines))

    def kill_all(self) -> None:
        """Kills sshd and every per-connection child at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            kill_pids([self.process.pid] + descendants(self.process.pid))
            self.process.wait(timeout=STOP_GRACE)

    def _stop_process(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            children = descendants(self.process.pid)
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_GRACE)
            kill_pids([pid for pid in children if os.path.exists(f"/proc/{pid}")])
        self.process = None

    def stop(self) -> None:
        self._stop_process()
        shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return log.read()
        except OSError:
            return ""


def make_machine_folder(root: str, port: int, host_key_pub: str, user: str | None = None) -> str:
    """Writes MACHINE_FOLDER (root/machine): a fresh client key pair, the pinned host public key copied
    from host_key_pub, and dokploy-machine.json pointing at 127.0.0.1:port. Returns the folder."""
    folder = os.path.join(root, "machine")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    generate_key(os.path.join(folder, "id_ed25519"), "dokploy-provider")
    shutil.copyfile(host_key_pub, os.path.join(folder, "ssh_host_ed25519_key.pub"))
    state = {
        "version": 1, "machineId": "ws-test", "composeId": "cmp_test", "appName": "devpod-ws-test",
        "projectId": "prj_test", "environmentId": "env_test", "sshHost": "127.0.0.1", "sshPort": port,
        "sshUser": user or getpass.getuser(),
    }
    with open(os.path.join(folder, "dokploy-machine.json"), "w", encoding="ascii") as out:
        json.dump(state, out, indent=2)
    os.chmod(os.path.join(folder, "dokploy-machine.json"), 0o600)
    return folder


def client_public_key(folder: str) -> str:
    with open(os.path.join(folder, "id_ed25519.pub"), encoding="ascii") as public:
        return public.read().strip()
