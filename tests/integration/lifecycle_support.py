# SPDX-License-Identifier: MIT
"""Shared set-up for lifecycle tests: a simulator, a port range and one MACHINE_FOLDER per machine."""
import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import unittest

from harness import Simulator, free_port_range, provider_env, run_provider

TOKEN = "lifecycle-token-8d2b6c1e"
LOG_LINE = re.compile(r"^(info|warning|error|critical): \S")


class LifecycleCase(unittest.TestCase):
    """Starts one simulator per test class; each test gets fresh machine folders and a clean simulator."""

    legacy = False
    ports = 12
    simulator_options: dict = {}  # more Simulator() arguments, e.g. read_logs=False

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(token=TOKEN, legacy=cls.legacy, deploy_seconds=0.2,
                            servers=[("srv-remote-1", "remote-builder", "127.0.0.1")],
                            **cls.simulator_options).start()
        cls.port_range = free_port_range(cls.ports)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.clear_faults()
        self.root = tempfile.mkdtemp(prefix="dp-machines-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.addCleanup(self.delete_everything)

    def delete_everything(self):
        """Stops every workspace sshd the test left, through the provider's own delete with the machine's folder
        (its key proves the machine is this DevPod's); the simulator's own clean-up gets any other."""
        for compose in self.composes():
            name = compose["name"].removeprefix("devpod-")
            run_provider(["delete"], self.env(name))

    def folder(self, machine_id):
        return os.path.join(self.root, machine_id)

    def env(self, machine_id, folder=True, **extra):
        low, high = self.port_range
        options = {"DOKPLOY_SSH_PORT_RANGE": f"{low}-{high}", "DOKPLOY_CREATE_TIMEOUT": "60s", **extra}
        return provider_env(self.sim, machine_id, self.folder(machine_id) if folder else None, **options)

    def machine_state(self, machine_id):
        """The machine's state file as a dict."""
        with open(os.path.join(self.folder(machine_id), "dokploy-machine.json")) as file:
            return json.load(file)

    def provider(self, verb, machine_id, timeout=120, stdin=None, **extra):
        return run_provider([verb], self.env(machine_id, **extra), stdin=stdin, timeout=timeout)

    def ok(self, verb, machine_id, **extra):
        result = self.provider(verb, machine_id, **extra)
        self.assertEqual(result.returncode, 0, f"{verb} failed:\n{result.stderr.decode()}")
        return result

    def status(self, machine_id, **extra):
        result = self.ok("status", machine_id, **extra)
        return result.stdout.decode()

    def composes(self):
        state = self.sim.state()
        return list(state["composes"].values()) if isinstance(state["composes"], dict) else state["composes"]

    def composes_named(self, machine_id):
        return [c for c in self.composes() if c["name"] == f"devpod-{machine_id}"]

    def assert_owner_only(self, path):
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)

    @contextlib.contextmanager
    def state_file_hidden(self, machine_id, hide=True):
        """Moves the machine's state file aside (when `hide`) for the block, so that the provider searches
        project.all for the machine as it does without one; puts it back afterwards."""
        path = os.path.join(self.folder(machine_id), "dokploy-machine.json")
        if not hide:
            yield
            return
        os.replace(path, path + ".hidden")
        try:
            yield
        finally:
            os.replace(path + ".hidden", path)

    # -- helpers for failure-path tests -------------------------------------------------------------

    def timed(self, verb, machine_id, timeout=120, **extra):
        """Runs the provider; returns (CompletedProcess, wall-clock seconds)."""
        started = time.monotonic()
        result = self.provider(verb, machine_id, timeout=timeout, **extra)
        return result, time.monotonic() - started

    def requests_to(self, procedure):
        """The simulator's logged requests to /api/<procedure>."""
        return [r for r in self.sim.requests() if r["path"] == f"/api/{procedure}"]

    def assert_fails_cleanly(self, result, code=1, stdout_logs=False):
        """Exit `code`, every stderr line a log line, exactly one error line (returned), nothing on stdout, or
        with `stdout_logs` (init, whose progress goes to stdout) only log lines below error level there."""
        stderr = result.stderr.decode(errors="replace")
        self.assertEqual(result.returncode, code, stderr)
        if stdout_logs:
            stdout = result.stdout.decode(errors="replace").splitlines()
            self.assertTrue(all(LOG_LINE.match(line) and not line.startswith(("error", "critical")) for line in stdout),
                            stdout)
        else:
            self.assertEqual(result.stdout, b"", stderr)
        lines = stderr.splitlines()
        strays = [line for line in lines if not LOG_LINE.match(line)]
        self.assertEqual(strays, [], f"stderr lines that are not log lines (a message spanning lines?):\n{stderr}")
        errors = [line for line in lines if line.startswith(("error: ", "critical: "))]
        self.assertEqual(len(errors), 1, f"expected exactly one error line:\n{stderr}")
        self.assertNotIn("NotFound", stderr)
        return errors[0]
