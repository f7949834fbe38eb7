# SPDX-License-Identifier: MIT
"""Secrets never reach the provider's output, and MACHINE_FOLDER keeps them owner-only.

Every subcommand (init, create, status, command, stop, start, delete) runs with `--verbose` and with
DEVPOD_DEBUG=true against a machine created here; stdout and stderr must never contain the API token, the
client or host private key (whole or any line of it), the base64 of the host private key that goes into the
compose file's SSH_HOST_KEY (whole or any 32-character piece of it), or the text `PRIVATE KEY`. Failing
paths (a wrong token, a failed deploy) are traced too. test_lifecycle.py / test_init.py check a subset
(token and `PRIVATE KEY` for some verbs, without --verbose's failing paths or the key material itself).
"""
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import yaml

from harness import Simulator, free_port_range, provider_binary, provider_env, run_provider, wait_until

TOKEN = "secret-token-4f7c2a9e1b6d"
WRONG_TOKEN = "wrong-token-9d3e6a1c5f80"
MODES = {"verbose": (["--verbose"], {}), "devpod-debug": ([], {"DEVPOD_DEBUG": "true"})}
DEBUG_LINE = re.compile(rb"^\d\d:\d\d:\d\d\.\d{3} (debug|trace)", re.MULTILINE)


def pieces(text, size):
    """Every `size`-character piece of `text` (non-overlapping, plus the tail)."""
    return [text[i:i + size] for i in range(0, len(text), size) if len(text[i:i + size]) >= min(size, 16)]


class SecretsTest(unittest.TestCase):
    """Runs the whole lifecycle once per output mode, then checks every captured output."""

    machine = "sec-main-1a2b3"
    failing_machine = "sec-fail-2b3c4"

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(token=TOKEN).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.root = tempfile.mkdtemp(prefix="dp-secrets-")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        low, high = free_port_range(6)
        cls.port_range = f"{low}-{high}"
        cls.outputs = []       # (label, CompletedProcess)
        cls.secrets = set()    # strings that must never be printed
        cls.host_key_b64 = set()
        try:
            cls.run_everything()
        finally:
            for machine in (cls.machine, cls.failing_machine):  # whatever happened: no workspace left
                run_provider(["delete"], cls.env(machine), timeout=60)

    @classmethod
    def env(cls, machine=None, token=TOKEN, **extra):
        env = provider_env(cls.sim, DOKPLOY_SSH_PORT_RANGE=cls.port_range, DOKPLOY_CREATE_TIMEOUT="30s", **extra)
        env["DOKPLOY_API_TOKEN"] = token
        if machine:
            env.update(MACHINE_ID=machine, MACHINE_FOLDER=os.path.join(cls.root, machine))
        return env

    @classmethod
    def invoke(cls, mode, verb, machine=None, expect=0, token=TOKEN, **extra):
        flags, mode_env = MODES[mode]
        result = run_provider([*flags, verb], cls.env(machine, token=token, **mode_env, **extra), timeout=120)
        label = f"{verb} ({mode}, machine {machine}, token {'wrong' if token != TOKEN else 'right'})"
        cls.outputs.append((label, result))
        if expect is not None and result.returncode != expect:
            raise AssertionError(f"{label} exited {result.returncode}, expected {expect}:\n"
                                 f"{result.stderr.decode(errors='replace')[-3000:]}")
        return result

    @classmethod
    def collect_secrets(cls, machine):
        """The machine's private key material, from its folder and from the compose file in Dokploy."""
        folder = os.path.join(cls.root, machine)
        for name in ("id_ed25519", "ssh_host_ed25519_key"):
            path = os.path.join(folder, name)
            if not os.path.exists(path):
                continue
            with open(path, encoding="ascii") as file:
                text = file.read()
            cls.secrets.add(text.strip())
            cls.secrets.update(line for line in text.splitlines() if len(line) >= 16 and "-----" not in line)
        for compose in cls.sim.state()["composes"].values():
            if compose["name"] == f"devpod-{machine}" and compose["composeFile"]:
                service = yaml.safe_load(compose["composeFile"])["services"]["workspace"]
                encoded = "".join(service["environment"]["SSH_HOST_KEY"].split())
                cls.host_key_b64.add(encoded)
                cls.host_key_b64.update(pieces(encoded, 32))

    @classmethod
    def run_everything(cls):
        m = cls.machine
        for mode in MODES:
            cls.invoke(mode, "init")
        cls.invoke("verbose", "create", m)
        cls.collect_secrets(m)
        cls.invoke("devpod-debug", "create", m)  # reuses the service
        for mode in MODES:
            cls.invoke(mode, "status", m)
            result = cls.invoke(mode, "command", m, COMMAND="echo hello-from-the-machine")
            if result.stdout != b"hello-from-the-machine\n":
                raise AssertionError(f"command ({mode}) printed {result.stdout!r}")
        for mode in MODES:
            cls.invoke(mode, "stop", m)
            cls.invoke(mode, "status", m)
            cls.invoke(mode, "start", m)
        cls.invoke("verbose", "delete", m)
        cls.invoke("devpod-debug", "create", m)
        cls.collect_secrets(m)
        cls.invoke("devpod-debug", "delete", m)
        # Failing paths: a wrong token everywhere, and a create whose deploy fails (rollback path).
        for mode in MODES:
            for verb in ("init", "create", "status", "stop", "start", "delete"):
                cls.invoke(mode, verb, None if verb == "init" else m, expect=1, token=WRONG_TOKEN)
        cls.sim.add_fault(match="compose.deploy", kind="deploy_error", count=-1,
                          message="failed to deploy: invalid SSH_HOST_KEY")
        try:
            for mode in MODES:
                cls.invoke(mode, "create", cls.failing_machine, expect=1)
        finally:
            cls.sim.clear_faults()
        cls.collect_secrets(cls.failing_machine)  # the keys stay in the folder after a failed create

    def outputs_to_check(self):
        self.assertGreaterEqual(len(self.outputs), 30)
        for label, result in self.outputs:
            yield label, result.stdout + b"\n" + result.stderr

    def test_debug_output_is_really_on(self):
        """Otherwise the checks below would prove nothing. (init logs on stdout, see test_init.py.)"""
        for label, result in self.outputs:
            with self.subTest(run=label):
                self.assertRegex(result.stdout + result.stderr, DEBUG_LINE)

    def test_the_token_never_appears(self):
        for label, output in self.outputs_to_check():
            with self.subTest(run=label):
                self.assertNotIn(TOKEN.encode(), output)
                self.assertNotIn(WRONG_TOKEN.encode(), output)
                for token in (TOKEN, WRONG_TOKEN):  # not even a part of one
                    self.assertNotIn(token[-12:].encode(), output)

    def test_private_keys_never_appear(self):
        self.assertGreaterEqual(len(self.secrets), 4, "no key material collected")
        for label, output in self.outputs_to_check():
            with self.subTest(run=label):
                self.assertNotIn(b"PRIVATE KEY", output)
                leaked = [s[:24] for s in self.secrets if s.encode() in output]
                self.assertEqual(leaked, [], "private key material in the output")

    def test_the_host_key_base64_never_appears(self):
        self.assertGreaterEqual(len(self.host_key_b64), 4, "no SSH_HOST_KEY collected")
        for label, output in self.outputs_to_check():
            leaked = [s[:24] for s in self.host_key_b64 if s.encode() in output]
            self.assertEqual(leaked, [], f"{label}: the host private key (base64) is in the output")


class FolderModesTest(unittest.TestCase):
    def test_private_keys_and_state_are_owner_only_and_the_folder_is_private(self):
        root = tempfile.mkdtemp(prefix="dp-modes-")
        self.addCleanup(shutil.rmtree, root, True)
        low, high = free_port_range(3)
        machine = "sec-modes-3c4d5"
        folder = os.path.join(root, "contexts", "default", "machines", machine)
        with Simulator(token=TOKEN) as sim:
            env = provider_env(sim, machine, folder, DOKPLOY_SSH_PORT_RANGE=f"{low}-{high}")
            try:
                for verb in ("create", "stop", "start"):  # start rewrites the state file
                    result = run_provider([verb], env, timeout=120)
                    self.assertEqual(result.returncode, 0, result.stderr.decode())
                    self.assert_private(folder)
            finally:
                run_provider(["delete"], env, timeout=60)

    def assert_private(self, folder):
        folder_mode = stat.S_IMODE(os.stat(folder).st_mode)
        self.assertEqual(folder_mode & 0o077, 0, f"MACHINE_FOLDER is mode {folder_mode:o}")
        names = sorted(os.listdir(folder))
        self.assertIn("dokploy-machine.json", names)
        self.assertFalse([n for n in names if ".tmp" in n], f"temporary files left behind: {names}")
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as file:
                content = file.read()
            secret = b"PRIVATE KEY" in content or name == "dokploy-machine.json"
            if secret:
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
            if name == "dokploy-create.lock":  # create's per-machine lock: empty, owner-only
                self.assertEqual(content, b"")
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
                continue
            self.assertTrue(secret or name.endswith(".pub"), f"unexpected file {name}")
        private = []
        for name in names:
            with open(os.path.join(folder, name), "rb") as file:
                if b"PRIVATE KEY" in file.read():
                    private.append(name)
        self.assertEqual(len(private), 2, names)  # the client key and the host key


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv to run the provider as nobody")
class CrashDumpTest(unittest.TestCase):
    """A core file of the provider would hold the token: it allows none, and is not dumpable at all, so that
    other processes of its user cannot read its memory either (ptrace, /proc/PID/mem)."""

    def test_the_running_provider_allows_no_core_file_and_is_not_dumpable(self):
        with Simulator(token=TOKEN) as sim:
            sim.add_fault(match="project.all", kind="slow", seconds=3, count=1)  # keeps `status` alive
            env = provider_env(sim, "dump-1a2b3", PATH=os.environ["PATH"])
            process = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                        "--", provider_binary(), "status"],
                                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                pid = wait_until(lambda: self.provider_pid(process.pid), timeout=10, what="the provider process")
                with open(f"/proc/{pid}/status", encoding="ascii") as status:
                    real_uid = int(next(l for l in status if l.startswith("Uid:")).split()[1])
                self.assertNotEqual(real_uid, 0, "the provider did not run as nobody")
                # A non-dumpable process's /proc files belong to root, whoever runs it. The exec'ed process is
                # visible before main() runs (long under ASan): wait for it to get there, while status is held.
                wait_until(lambda: os.stat(f"/proc/{pid}/environ").st_uid == 0, timeout=5,
                           what="the provider to make itself non-dumpable")
                self.assertEqual(self.core_limit(pid), ("0", "0"))
            finally:
                process.communicate(timeout=60)

    @staticmethod
    def provider_pid(pid):
        """setpriv execs the provider in place: the same PID, once its command line is the provider's."""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                return pid if b"dokploy-provider" in cmdline.read().split(b"\0")[0] else None
        except OSError:
            return None

    @staticmethod
    def core_limit(pid):
        try:
            with open(f"/proc/{pid}/limits", encoding="ascii") as limits:
                line = next(l for l in limits if l.startswith("Max core file size"))
        except (OSError, StopIteration):
            return None
        return tuple(line.split()[4:6])


if __name__ == "__main__":
    unittest.main()
