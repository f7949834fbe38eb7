# SPDX-License-Identifier: MIT
"""Connection reuse: `command` runs on a per-machine shared SSH connection (the master) against a real sshd.

What test_command.py checks for every command (bytes, EOF, exit codes, signals, failures) runs through the
master there too; this file checks the master itself: one SSH login for many commands, concurrent commands,
its socket and secrets, replacement of a dead, stale or moved master, idle exit, the option that turns it off,
and that stop and delete end it (against the simulator). Every master is stopped by PID at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import run_provider, wait_until  # noqa: E402
from lifecycle_support import LifecycleCase  # noqa: E402
from sshd_fixture import (Sshd, client_public_key, descendants, kill_pids, make_machine_folder,  # noqa: E402
                          master_pids, stop_masters)

BIN = os.environ.get("DOKPLOY_PROVIDER_BIN", "")
TOKEN = "dp-reuse-token-3c9e1f7a55d0b2e4"
LOGIN = re.compile(r"Accepted publickey for root")


def alive(pid: int) -> bool:
    """True while pid runs (a zombie waiting for whoever adopted it does not count)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat_file:
            return stat_file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def logins(sshd: Sshd) -> int:
    return len(LOGIN.findall(sshd.log()))


@unittest.skipUnless(BIN and os.access(BIN, os.X_OK), "DOKPLOY_PROVIDER_BIN is not set")
@unittest.skipUnless(os.access("/usr/sbin/sshd", os.X_OK), "openssh-server is not installed")
class SharedConnectionTest(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="dp-reuse-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.addCleanup(self.assert_no_master_left)
        self.sshd = Sshd()
        self.addCleanup(self.sshd.stop)
        self.sshd.start()
        self.folder = make_machine_folder(self.root, self.sshd.port, self.sshd.host_key + ".pub")
        self.sshd.authorize(client_public_key(self.folder))
        self.socket = os.path.join(self.folder, "ssh-master.sock")

    def assert_no_master_left(self) -> None:
        # Runs after sshd stopped: a master ends with its connection. Any still there is stopped by PID and
        # fails the test.
        try:
            wait_until(lambda: not master_pids(self.root), timeout=10, what="masters to end with their sshd")
        finally:
            left = master_pids(self.root)
            stop_masters(self.root)
        self.assertEqual(left, [])

    def env(self, command: str, **extra: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEVPOD", "DOKPLOY_"))}
        env.update(MACHINE_FOLDER=self.folder, COMMAND=command, **extra)
        return env

    def run_command(self, command: str, stdin: bytes = b"", args: tuple = (), **extra: str):
        return subprocess.run([BIN, *args, "command"], input=stdin, capture_output=True, timeout=60,
                              env=self.env(command, **extra))

    def ok(self, command: str, stdin: bytes = b"", **extra: str) -> bytes:
        result = self.run_command(command, stdin, **extra)
        self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
        return result.stdout

    def master(self) -> int:
        [pid] = master_pids(self.folder)
        return pid

    # -- reuse ---------------------------------------------------------------------------------------

    def test_later_commands_reuse_one_ssh_login(self) -> None:
        for i in range(5):
            self.assertEqual(self.ok(f"echo {i}"), f"{i}\n".encode())
        self.assertEqual(logins(self.sshd), 1, self.sshd.log())
        self.assertTrue(stat.S_ISSOCK(os.lstat(self.socket).st_mode))

    def test_socket_and_log_are_owner_only(self) -> None:
        self.ok("true")
        for name in ("ssh-master.sock", "ssh-master.log"):
            mode = stat.S_IMODE(os.lstat(os.path.join(self.folder, name)).st_mode)
            self.assertEqual(mode & 0o077, 0, f"{name} is {oct(mode)}")
        # Another user cannot even connect to the socket.
        probe = subprocess.run(
            [sys.executable, "-c",
             "import os, socket, sys; os.setgid(65534); os.setuid(65534); s = socket.socket(socket.AF_UNIX);"
             "\ntry: s.connect(sys.argv[1])\nexcept PermissionError: sys.exit(3)\nsys.exit(0)",
             self.socket], capture_output=True)
        if os.geteuid() == 0:
            self.assertEqual(probe.returncode, 3, probe.stderr)

    def test_master_holds_no_secret_and_no_caller_descriptor(self) -> None:
        self.ok("true", DOKPLOY_API_TOKEN=TOKEN)
        pid = self.master()
        with open(f"/proc/{pid}/environ", "rb") as environ:
            self.assertEqual(environ.read(), b"", "the master must run with an empty environment")
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            self.assertNotIn(TOKEN.encode(), cmdline.read())
        # Only /dev/null, its log, its listening socket and the SSH connection: nothing of its first caller.
        targets = sorted(os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))
        self.assertEqual(targets.count("/dev/null"), 2, targets)
        self.assertIn(os.path.join(self.folder, "ssh-master.log"), targets)
        self.assertFalse([t for t in targets if t.startswith("pipe:")], targets)

    def test_concurrent_commands_share_the_master_byte_exact(self) -> None:
        self.ok("true")
        inputs = [os.urandom((4 << 20) + i) for i in range(4)]
        results: list = [None] * len(inputs)

        def run(index: int) -> None:
            results[index] = self.run_command("cat; exit 5", inputs[index])

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(inputs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for data, result in zip(inputs, results):
            self.assertEqual(result.returncode, 5, result.stderr)
            self.assertEqual(hashlib.sha256(result.stdout).hexdigest(), hashlib.sha256(data).hexdigest())
        self.assertEqual(logins(self.sshd), 1, self.sshd.log())

    def test_long_running_command_does_not_block_others(self) -> None:
        slow = subprocess.Popen([BIN, "command"], env=self.env("echo started; sleep 30"),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.addCleanup(lambda: (slow.kill(), slow.wait(10), slow.stdout.close(), slow.stdin.close()))
        self.assertEqual(slow.stdout.readline(), b"started\n")
        start = time.monotonic()
        self.assertEqual(self.ok("echo quick"), b"quick\n")
        self.assertLess(time.monotonic() - start, 5)
        slow.send_signal(signal.SIGINT)
        self.assertEqual(slow.wait(timeout=10), 130)

    # -- replacement -------------------------------------------------------------------------------

    def test_killed_master_is_replaced_without_a_trace(self) -> None:
        self.ok("true")
        old = self.master()
        kill_pids([old])
        wait_until(lambda: not alive(old), what="the master to die")
        self.assertTrue(os.path.exists(self.socket), "a killed master leaves its socket behind")
        result = self.run_command("echo again")
        self.assertEqual((result.returncode, result.stdout, result.stderr), (0, b"again\n", b""))
        self.assertNotEqual(self.master(), old)
        self.assertEqual(logins(self.sshd), 2)

    def test_master_whose_connection_died_is_replaced_without_a_trace(self) -> None:
        # sshd restarts (a machine restarted behind our back) while the master is frozen, and the next command
        # reaches the master before it can notice: it finds a master whose connection is dead.
        self.ok("true")
        old = self.master()
        kill_pids([old], signal.SIGSTOP)
        try:
            port = self.sshd.port
            self.sshd.kill_all()
            self.sshd.start(port=port)
            process = subprocess.Popen([BIN, "--verbose", "command"], env=self.env("echo again"),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.addCleanup(lambda: process.poll() is None and process.kill())
            time.sleep(0.5)  # the command has connected to the frozen master and sent it the command
        finally:
            kill_pids([old], signal.SIGCONT)
        stdout, stderr = process.communicate(timeout=60)
        self.assertEqual((process.returncode, stdout), (0, b"again\n"), stderr)
        self.assertIn(b"starting a new one", stderr)
        self.assertNotRegex(stderr, rb"(?m)^[0-9:.]+ (warning|error) ")  # nothing the user is told about
        wait_until(lambda: not alive(old), what="the old master to end")

    def test_moved_machine_gets_a_new_master(self) -> None:
        self.ok("true")
        old = self.master()
        with Sshd(host_key=self.sshd.host_key) as moved:
            moved.authorize(client_public_key(self.folder))
            state_file = os.path.join(self.folder, "dokploy-machine.json")
            with open(state_file) as file:
                state = json.load(file)
            state["sshPort"] = moved.port
            with open(state_file, "w") as file:
                json.dump(state, file)
            self.assertEqual(self.ok("echo moved"), b"moved\n")
            self.assertEqual(logins(moved), 1)
            wait_until(lambda: not alive(old), what="the stale master to end")
            stop_masters(self.root)

    # -- lifetime and the option ---------------------------------------------------------------------

    def test_idle_master_exits_and_removes_its_socket(self) -> None:
        self.ok("true", DOKPLOY_SSH_CONTROL_PERSIST="1s")
        pid = self.master()
        wait_until(lambda: not alive(pid), timeout=10, what="the idle master to exit")
        self.assertFalse(os.path.exists(self.socket))

    def test_persist_zero_connects_directly(self) -> None:
        for _ in range(2):
            self.ok("true", DOKPLOY_SSH_CONTROL_PERSIST="0")
        self.assertEqual(master_pids(self.root), [])
        self.assertFalse(os.path.exists(self.socket))
        self.assertEqual(logins(self.sshd), 2)

    def test_bad_persist_value_is_refused_before_connecting(self) -> None:
        result = self.run_command("true", DOKPLOY_SSH_CONTROL_PERSIST="forever")
        self.assertEqual(result.returncode, 2, result.stderr)
        [line] = result.stderr.decode().splitlines()
        self.assertIn("DOKPLOY_SSH_CONTROL_PERSIST", line)
        self.assertEqual(logins(self.sshd), 0)


@unittest.skipUnless(BIN and os.access(BIN, os.X_OK), "DOKPLOY_PROVIDER_BIN is not set")
class StopAndDeleteEndTheMasterTest(LifecycleCase):
    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(stop_masters, self.root)

    def command(self, machine: str, text: str) -> None:
        result = self.provider("command", machine, COMMAND=text)
        self.assertEqual(result.returncode, 0, result.stderr.decode())

    def test_stop_and_delete_end_the_shared_connection(self) -> None:
        machine = "reuse-life-4b1c"
        folder = self.folder(machine)
        socket = os.path.join(folder, "ssh-master.sock")
        self.ok("create", machine)
        self.command(machine, "true")
        [first] = master_pids(folder)
        self.ok("stop", machine)
        self.assertFalse(os.path.exists(socket))
        wait_until(lambda: not alive(first), timeout=3, what="stop to end the master")
        self.ok("start", machine)
        self.command(machine, "true")
        [second] = master_pids(folder)
        self.ok("delete", machine)
        self.assertFalse(os.path.exists(socket))
        wait_until(lambda: not alive(second), timeout=3, what="delete to end the master")


if __name__ == "__main__":
    unittest.main()
