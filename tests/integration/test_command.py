# SPDX-License-Identifier: MIT
"""`dokploy-provider command` against a real OpenSSH sshd on 127.0.0.1.

Covers the contract DevPod relies on: byte-exact full-duplex copying, stdin EOF, stdout/stderr
separation, exit codes and remote signals, the `ping` handshake, verbatim long commands, host-key
pinning, key and state errors, a server dying mid-stream, SIGINT, a closed stdout, redaction under
--verbose, and ~0 CPU while idle. Every process started here is stopped by PID.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sshd_fixture import (Sshd, client_public_key, descendants, generate_key, kill_pids,  # noqa: E402
                          make_machine_folder, master_pids, stop_masters)

BIN = os.environ.get("DOKPLOY_PROVIDER_BIN", "")
TOKEN = "dp-test-token-6f1d0c2a9b8e7f55"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Drain(threading.Thread):
    """Reads a pipe to its end in the background, counting (and optionally keeping) the bytes."""

    def __init__(self, stream, keep: bool = False):
        super().__init__(daemon=True)
        self.stream, self.keep, self.count, self.chunks = stream, keep, 0, []
        self.start()

    def run(self) -> None:
        while True:
            try:
                chunk = self.stream.read1(1 << 16)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            self.count += len(chunk)
            if self.keep:
                self.chunks.append(chunk)

    def data(self) -> bytes:
        return b"".join(self.chunks)


@unittest.skipUnless(BIN and os.access(BIN, os.X_OK), "DOKPLOY_PROVIDER_BIN is not set")
@unittest.skipUnless(os.access("/usr/sbin/sshd", os.X_OK), "openssh-server is not installed")
class CommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.root = tempfile.mkdtemp(prefix="dp-command-")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.addClassCleanup(stop_masters, cls.root)  # they end with their sshd anyway; by PID all the same
        cls.sshd = Sshd()
        cls.addClassCleanup(cls.sshd.stop)
        cls.sshd.start()
        cls.folder = make_machine_folder(cls.root, cls.sshd.port, cls.sshd.host_key + ".pub")
        cls.sshd.authorize(client_public_key(cls.folder))

    # -- helpers -----------------------------------------------------------------------------------

    # Extra environment for every run: the direct-connection variant turns connection reuse off.
    mode: dict = {}

    def env(self, command: str, folder: str | None = None, **extra: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEVPOD", "DOKPLOY_"))}
        env.update(MACHINE_FOLDER=folder or self.folder, COMMAND=command, **self.mode)
        env.update(extra)
        return env

    def run_provider(self, command: str, stdin: bytes = b"", timeout: float = 60, args: tuple = (),
                     folder: str | None = None, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([BIN, *args, "command"], input=stdin, capture_output=True, timeout=timeout,
                              env=self.env(command, folder, **extra))

    def start_provider(self, command: str, folder: str | None = None, **popen) -> subprocess.Popen:
        process = subprocess.Popen([BIN, "command"], env=self.env(command, folder), **popen)
        self.addCleanup(self._stop, process)
        return process

    @staticmethod
    def _stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def copy_folder(self) -> str:
        """A private copy of the machine folder, for tests that break its keys or state."""
        copy = tempfile.mkdtemp(prefix="dp-machine-", dir=self.root)
        folder = os.path.join(copy, "machine")
        # Not the shared connection's socket, lock and log: those belong to the original folder.
        shutil.copytree(self.folder, folder, ignore=shutil.ignore_patterns("ssh-master.*"))
        return folder

    def assert_refused(self, result: subprocess.CompletedProcess, *needles: str) -> None:
        self.assertEqual(result.returncode, 255, result.stderr)
        self.assertEqual(result.stdout, b"")
        stderr = result.stderr.decode(errors="replace")
        for needle in needles:
            self.assertIn(needle, stderr)

    # -- data path ---------------------------------------------------------------------------------

    def test_64_mib_round_trip_is_byte_exact(self) -> None:
        data = os.urandom(64 << 20)
        result = self.run_provider("cat", stdin=data, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr[-500:])
        self.assertEqual(len(result.stdout), len(data))
        self.assertEqual(sha256(result.stdout), sha256(data))

    def test_stdin_eof_reaches_the_remote(self) -> None:
        result = self.run_provider("wc -c", stdin=os.urandom(1 << 20))
        self.assertEqual((result.returncode, result.stdout), (0, b"1048576\n"), result.stderr)

    def test_closed_stdin_is_an_empty_input_not_a_hang(self) -> None:
        # With fd 0 closed, the first fd the provider opens would land on it unless it guards against that.
        result = subprocess.run([BIN, "command"], capture_output=True, timeout=20,
                                env=self.env("cat; echo done"), stdin=None, preexec_fn=lambda: os.close(0))
        self.assertEqual((result.returncode, result.stdout), (0, b"done\n"), result.stderr)

    def test_stdout_and_stderr_stay_separate(self) -> None:
        result = self.run_provider("printf out1; printf err1 >&2; printf out2; printf err2 >&2")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, b"out1out2")
        self.assertEqual(result.stderr, b"err1err2")

    def test_exit_codes_pass_through(self) -> None:
        for code in (0, 1, 7):
            with self.subTest(code=code):
                self.assertEqual(self.run_provider(f"exit {code}").returncode, code)

    def test_remote_signal_becomes_128_plus_n(self) -> None:
        self.assertEqual(self.run_provider("kill -TERM $$").returncode, 143)
        self.assertEqual(self.run_provider("kill -KILL $$").returncode, 137)

    def test_interactive_ping_pong(self) -> None:
        process = self.start_provider("cat", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for i in range(1000):
            line = f"line {i} \x00\xff\n".encode("latin-1")
            process.stdin.write(line)
            process.stdin.flush()
            self.assertEqual(process.stdout.readline(), line)
        process.stdin.close()
        self.assertEqual(process.wait(timeout=10), 0)

    def test_first_stdout_line_is_exactly_ping(self) -> None:
        process = self.start_provider("echo ping; cat", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.assertEqual(process.stdout.readline(), b"ping\n")
        process.stdin.write(b"pong\n")
        process.stdin.flush()
        self.assertEqual(process.stdout.readline(), b"pong\n")
        process.stdin.close()
        self.assertEqual(process.stdout.read(), b"")
        self.assertEqual(process.wait(timeout=10), 0)

    def test_long_command_with_quotes_and_dollars_runs_verbatim(self) -> None:
        special = "q' d\" `id` $HOME ${PATH} $(echo no) \\ \\\\ \\n %s * ? [a] ~ ! # & | ; < > \t end"
        payload = "".join(f"{i:05d}:{special}\n" for i in range(600))
        command = "printf '%s' " + shlex.quote(payload) + "; x=42; printf '[%s]' \"$x\""
        self.assertGreaterEqual(len(command), 40 * 1024)
        result = self.run_provider(command)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, (payload + "[42]").encode())

    # -- failures before anything runs -------------------------------------------------------------

    def test_host_key_mismatch_is_refused_before_the_command_runs(self) -> None:
        marker = os.path.join(self.root, "mismatch-marker")
        folder = self.copy_folder()
        # Control: with the right pin the command does create the marker.
        self.assertEqual(self.run_provider(f"touch {marker}", folder=folder).returncode, 0)
        self.assertTrue(os.path.exists(marker))
        os.unlink(marker)
        generate_key(os.path.join(self.root, "other_host_key"), "other-host")
        shutil.copyfile(os.path.join(self.root, "other_host_key.pub"),
                        os.path.join(folder, "ssh_host_ed25519_key.pub"))
        result = self.run_provider(f"touch {marker}", folder=folder)
        self.assert_refused(result, f"127.0.0.1:{self.sshd.port}", "host key", "man-in-the-middle")
        self.assertFalse(os.path.exists(marker), "the command ran despite the host-key mismatch")

    def test_wrong_client_key_is_refused(self) -> None:
        folder = self.copy_folder()
        generate_key(os.path.join(folder, "id_ed25519"), "not-authorized")
        self.assert_refused(self.run_provider("true", folder=folder), "refused")

    def test_missing_key_file_is_named(self) -> None:
        folder = self.copy_folder()
        os.unlink(os.path.join(folder, "id_ed25519"))
        self.assert_refused(self.run_provider("true", folder=folder), os.path.join(folder, "id_ed25519"), "devpod up")

    def test_missing_state_file(self) -> None:
        folder = self.copy_folder()
        os.unlink(os.path.join(folder, "dokploy-machine.json"))
        self.assert_refused(self.run_provider("true", folder=folder), "machine state not found")

    # -- mid-stream events -------------------------------------------------------------------------

    def test_server_killed_mid_stream_exits_255(self) -> None:
        with Sshd() as sshd:
            folder = make_machine_folder(tempfile.mkdtemp(dir=self.root), sshd.port, sshd.host_key + ".pub")
            sshd.authorize(client_public_key(folder))
            process = self.start_provider("cat /dev/zero", folder=folder, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            drain, errors = Drain(process.stdout), Drain(process.stderr, keep=True)
            deadline = time.monotonic() + 10
            while drain.count < (1 << 20) and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertGreaterEqual(drain.count, 1 << 20)
            sshd.kill_all()
            self.assertEqual(process.wait(timeout=15), 255)
            errors.join(timeout=5)
            self.assertIn(b"lost", errors.data())

    @unittest.skipUnless(shutil.which("unshare") and shutil.which("ip"), "needs unshare and ip (root)")
    def test_black_holed_connection_is_declared_dead(self) -> None:
        # In a private network namespace, take loopback down mid-stream: packets vanish without a
        # reset, as with a dead host or a cut link. Unacknowledged data must end the session 30 s later
        # (TCP_USER_TIMEOUT); when nothing was in flight (window exhausted), the keepalive sent after 15 s
        # of silence is that data: 30-45 s in all.
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode != 0:
            self.skipTest("unshare -n is not permitted here")
        child = subprocess.run(
            ["unshare", "-n", sys.executable, "-c",
             f"import test_command; test_command.black_hole_child({self.mode!r})"],
            cwd=os.path.dirname(os.path.abspath(__file__)), env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
            capture_output=True, timeout=150)
        self.assertEqual(child.returncode, 0, child.stderr.decode(errors="replace")[-2000:])
        code, seconds, stderr = child.stdout.decode().split("|", 2)
        self.assertEqual(int(code), 255, stderr)
        self.assertLess(float(seconds), 50.0)
        self.assertIn("lost", stderr)

    def test_frozen_machine_ends_command_with_255_within_45_seconds(self) -> None:
        # `docker pause` / a stalled VM: every process of the machine stops, its kernel still acknowledges TCP,
        # so neither TCP keepalive nor TCP_USER_TIMEOUT notice. Only a keepalive the server must answer does.
        with Sshd() as sshd:
            folder = make_machine_folder(tempfile.mkdtemp(dir=self.root), sshd.port, sshd.host_key + ".pub")
            sshd.authorize(client_public_key(folder))
            process = self.start_provider("echo ready; sleep 600", folder=folder, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            errors = Drain(process.stderr, keep=True)
            self.assertEqual(process.stdout.readline(), b"ready\n")
            frozen = [sshd.pid] + descendants(sshd.pid)
            kill_pids(frozen, signal.SIGSTOP)
            try:
                start = time.monotonic()
                self.assertEqual(process.wait(timeout=90), 255)
                elapsed = time.monotonic() - start
            finally:
                kill_pids(frozen, signal.SIGCONT)
            errors.join(timeout=5)
            self.assertLess(elapsed, 45.0)
            self.assertIn(b"stopped answering", errors.data())

    def test_idle_tunnel_outlives_several_keepalives(self) -> None:
        # 40 s without a byte either way: two keepalive rounds, each answered, and the tunnel stays up.
        process = self.start_provider("echo ready; sleep 40; echo done", stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE)
        self.assertEqual(process.stdout.readline(), b"ready\n")
        self.assertEqual(process.stdout.readline(), b"done\n")
        self.assertEqual(process.wait(timeout=30), 0)

    def test_sigint_mid_stream_exits_within_2_seconds(self) -> None:
        process = self.start_provider("cat /dev/zero", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        drain = Drain(process.stdout)
        deadline = time.monotonic() + 10
        while drain.count < (1 << 20) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertGreaterEqual(drain.count, 1 << 20)
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        self.assertEqual(process.wait(timeout=5), 128 + signal.SIGINT)
        self.assertLess(time.monotonic() - start, 2.0)

    def test_closed_stdout_ends_the_session_promptly(self) -> None:
        process = self.start_provider("yes", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.assertEqual(process.stdout.read(8), b"y\ny\ny\ny\n")
        process.stdout.close()
        start = time.monotonic()
        self.assertEqual(process.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - start, 3.0)

    # -- logging and resources ---------------------------------------------------------------------

    def test_verbose_keeps_stdout_exact_and_secrets_out_of_stderr(self) -> None:
        # A fresh folder: with connection reuse, this verbose run starts the master, which then logs at debug.
        folder = self.copy_folder()
        data = os.urandom(1 << 20)
        result = self.run_provider("cat", stdin=data, args=("--verbose",), folder=folder, DOKPLOY_API_TOKEN=TOKEN)
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(result.stdout, data)
        self.assertIn(b"debug", result.stderr)  # verbose really was on
        # libssh's own debug lines: on stderr when connecting directly, else in the shared connection's log.
        log = os.path.join(folder, "ssh-master.log")
        shared = self.mode.get("DOKPLOY_SSH_CONTROL_PERSIST") != "0"
        self.assertEqual(os.path.exists(log), shared)
        libssh_output = open(log, "rb").read() if shared else result.stderr
        self.assertIn(b"libssh", libssh_output)
        for output in (result.stderr, libssh_output):
            self.assertNotIn(b"PRIVATE KEY", output)
            self.assertNotIn(TOKEN.encode(), output)

    def test_idle_tunnel_uses_almost_no_cpu(self) -> None:
        # CPU time of the provider over 3 s of an idle, open tunnel (start-up excluded, so that the
        # check also holds for sanitizer builds): no busy-waiting means ~0.
        process = self.start_provider("echo ready; sleep 3; echo done", stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE)
        self.assertEqual(process.stdout.readline(), b"ready\n")
        # With connection reuse the machine's master does the copying: count its CPU time too.
        pids = [process.pid] + master_pids(self.folder)
        before = sum(cpu_seconds(pid) for pid in pids)
        self.assertEqual(process.stdout.readline(), b"done\n")
        idle_cpu = sum(cpu_seconds(pid) for pid in pids) - before
        self.assertEqual(process.wait(timeout=10), 0)
        self.assertLess(idle_cpu, 0.1)


class DirectCommandTest(CommandTest):
    """The same contract without connection reuse (DOKPLOY_SSH_CONTROL_PERSIST=0), which is also the Windows
    path: every `command` makes its own SSH connection."""

    mode = {"DOKPLOY_SSH_CONTROL_PERSIST": "0"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def black_hole_child(mode: dict) -> None:
    """Runs inside `unshare -n`: sshd + provider streaming /dev/zero through `cat`, then loopback goes down.
    Prints "exit code|seconds until exit|provider stderr"."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with tempfile.TemporaryDirectory(prefix="dp-blackhole-") as root, Sshd() as sshd:
        folder = make_machine_folder(root, sshd.port, sshd.host_key + ".pub")
        sshd.authorize(client_public_key(folder))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEVPOD", "DOKPLOY_"))}
        env.update(MACHINE_FOLDER=folder, COMMAND="cat", **mode)
        with open("/dev/zero", "rb") as zeros:  # data in flight both ways when the link dies
            process = subprocess.Popen([BIN, "command"], env=env, stdin=zeros, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
        try:
            time.sleep(1.0)
            subprocess.run(["ip", "link", "set", "lo", "down"], check=True)
            start = time.monotonic()
            try:
                code = process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                code = -1
            elapsed = time.monotonic() - start
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        print(f"{code}|{elapsed:.1f}|{process.stderr.read().decode(errors='replace')}", end="")


if __name__ == "__main__":
    unittest.main()
