# SPDX-License-Identifier: MIT
"""Lane 1: the provider's whole lifecycle against the real Dokploy v0.30.2 server (no DevPod).

Runs inside the peer's network namespace (e2e.py), where Dokploy listens on 127.0.0.1:3001 and its docker shim
starts a real sshd for each deployed compose file. Every step asserts outputs and exit codes.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from e2e_support import DockerShim, DokployApi, Provider, Steps, create_default_api_key, free_port_range, run_id

PORT_CLASH = ("Error response from daemon: driver failed programming external connectivity on endpoint "
              "workspace: Bind for 0.0.0.0:{port} failed: port is already allocated")
DEPLOYING = re.compile(r"deploying devpod-\S+ with SSH on 127\.0\.0\.1:(\d+)")


class RealDokployLane(unittest.TestCase):
    """One ordered scenario: the steps build on each other like a user's day."""

    @classmethod
    def setUpClass(cls):
        cls.steps = Steps("real Dokploy")
        cls.provider = Provider()
        cls.api = DokployApi()
        cls.shim = DockerShim()
        cls.id = run_id()
        cls.project = f"e2e-{cls.id}"
        cls.environment = f"dev-{cls.id}"  # a new environment that is not "production"
        cls.root = tempfile.mkdtemp(prefix="dp-e2e-machines-")
        low, high = free_port_range(12)
        cls.options = {"DOKPLOY_SERVER_URL": cls.api.url, "DOKPLOY_API_TOKEN": cls.api.token,
                       "DOKPLOY_PROJECT_NAME": cls.project, "DOKPLOY_ENVIRONMENT_NAME": cls.environment,
                       "DOKPLOY_SSH_HOST": "127.0.0.1", "DOKPLOY_SSH_PORT_RANGE": f"{low}-{high}",
                       "DOKPLOY_CREATE_TIMEOUT": "2m"}

    @classmethod
    def tearDownClass(cls):
        cls.shim.clear()
        cls.api.remove_project(cls.project)
        shutil.rmtree(cls.root, ignore_errors=True)

    def machine_env(self, machine: str, **extra) -> dict:
        return {**self.options, "MACHINE_ID": machine, "MACHINE_FOLDER": os.path.join(self.root, machine), **extra}

    def ok(self, verb: str, machine: str | None = None, **extra) -> subprocess.CompletedProcess:
        env = self.machine_env(machine, **extra) if machine else {**self.options, **extra}
        result = self.provider([verb], env)
        self.assertEqual(result.returncode, 0, f"{verb}: {result.stderr.decode(errors='replace')}")
        return result

    def status(self, machine: str) -> str:
        return self.ok("status", machine).stdout.decode()

    def compose(self, machine: str) -> dict:
        [summary] = self.api.composes_named(self.project, f"devpod-{machine}")
        return self.api.ok("compose.one", {"composeId": summary["composeId"]})

    def state(self, machine: str) -> dict:
        with open(os.path.join(self.root, machine, "dokploy-machine.json"), encoding="utf-8") as file:
            return json.load(file)

    def test_lifecycle(self):
        machine = f"e2e-{self.id}-a"
        with self.steps.step("init (summary on stdout, nothing on stderr)"):
            result = self.ok("init")
            self.assertEqual(result.stderr, b"")
            self.assertIn(b"Dokploy v0.30.2", result.stdout)
            self.assertIn(f"environment '{self.environment}'".encode(), result.stdout)
        with self.steps.step("init with a wrong token: exit 1, named cause"):
            result = self.provider(["init"], {**self.options, "DOKPLOY_API_TOKEN": "wrong-" + self.id * 4})
            self.assertEqual(result.returncode, 1)
            self.assertIn(b"DOKPLOY_API_TOKEN was rejected", result.stderr)
            self.assertNotIn(self.api.token.encode(), result.stdout + result.stderr)
        with self.steps.step("create into a new project and a new non-production environment"):
            self.ok("create", machine)
            [summary] = self.api.composes_named(self.project, f"devpod-{machine}")
            self.assertEqual(summary["environmentName"], self.environment)
            self.assertEqual(self.compose(machine)["composeStatus"], "done")
        with self.steps.step("create again (same folder): reuses, exit 0"):
            self.ok("create", machine)
            self.assertEqual(len(self.api.composes_named(self.project, f"devpod-{machine}")), 1)
        with self.steps.step("status: Running"):
            self.assertEqual(self.status(machine), "Running\n")
        with self.steps.step("command: 4 MiB byte-exact through cat, exit codes"):
            payload = os.urandom(4 * 1024 * 1024)
            result = self.provider(["command"], {**self.machine_env(machine), "COMMAND": "cat"}, stdin=payload)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(result.stdout == payload, "the bytes came back changed")
            result = self.provider(["command"], {**self.machine_env(machine),
                                                 "COMMAND": "printf 'out'; printf 'err' >&2; exit 7"})
            self.assertEqual((result.returncode, result.stdout), (7, b"out"))
            self.assertIn(b"err", result.stderr)
        with self.steps.step("stop: Stopped; start: Running, same port"):
            port = self.state(machine)["sshPort"]
            self.ok("stop", machine)
            self.assertEqual(self.compose(machine)["composeStatus"], "idle")
            self.assertEqual(self.status(machine), "Stopped\n")
            self.ok("start", machine)
            self.assertEqual(self.status(machine), "Running\n")
            self.assertEqual(self.state(machine)["sshPort"], port)
        with self.steps.step("a port taken while stopped: start moves the machine, same host key"):
            self.ok("stop", machine)
            old_port = self.state(machine)["sshPort"]
            self.shim.fail_next_up(PORT_CLASH.format(port=old_port))  # compose.start runs `docker compose up -d`
            result = self.ok("start", machine)
            self.assertFalse(self.shim.pending_failure(), "the injected failure was not used")
            self.assertIn(b"moving the machine to another port", result.stderr)
            self.assertNotEqual(self.state(machine)["sshPort"], old_port)
            self.assertEqual(self.status(machine), "Running\n")
            result = self.provider(["command"], {**self.machine_env(machine), "COMMAND": "echo moved"})
            self.assertEqual((result.returncode, result.stdout), (0, b"moved\n"), result.stderr)
        with self.steps.step("another DevPod's create of the same machine name is refused"):
            other = {**self.machine_env(machine), "MACHINE_FOLDER": os.path.join(self.root, "other", machine)}
            before = self.compose(machine)["composeFile"]
            result = self.provider(["create"], other)
            self.assertEqual(result.returncode, 1)
            self.assertIn(b"belongs to another DevPod", result.stderr)
            self.assertEqual(self.compose(machine)["composeFile"], before)
            self.assertEqual(self.provider(["status"], other).stdout, b"NotFound\n")
        with self.steps.step("auto-stop hook as the agent runs it, with the laptop's CA path"):
            self.auto_stop_hook(machine)
            self.assertEqual(self.compose(machine)["composeStatus"], "idle")
            self.assertEqual(self.status(machine), "Stopped\n")
            self.ok("start", machine)
        with self.steps.step("delete, then delete again (already gone)"):
            self.ok("delete", machine)
            self.assertEqual(self.api.composes_named(self.project, f"devpod-{machine}"), [])
            self.assertEqual(self.status(machine), "NotFound\n")
            again = self.ok("delete", machine)
            self.assertIn(b"does not exist; nothing to delete", again.stderr)

    def auto_stop_hook(self, machine: str) -> None:
        """The manifest's shutdown line, run by a POSIX shell with what DevPod's agent passes in the machine:
        the provider options as set on the laptop, MACHINE_FOLDER a path on the machine, the binary's path."""
        hook = '"${DOKPLOY_PROVIDER}" stop --from-machine'
        env = {**self.options, "PATH": os.environ["PATH"], "DOKPLOY_PROVIDER": self.provider.binary,
               "DOKPLOY_CA_FILE": "/Users/someone/dokploy-ca.pem", "MACHINE_ID": machine,
               "MACHINE_FOLDER": f"/root/.devpod/contexts/default/machines/{machine}"}
        result = subprocess.run(["/bin/sh", "-c", hook], env=env, capture_output=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
        self.assertIn(b"is not in the machine", result.stderr)

    def test_service_deleted_behind_our_back(self):
        machine = f"e2e-{self.id}-b"
        with self.steps.step("create; then the service is deleted in Dokploy"):
            self.ok("create", machine)
            self.api.ok("compose.delete", body={"composeId": self.compose(machine)["composeId"],
                                                "deleteVolumes": True})
        with self.steps.step("status NotFound, command 255, stop and delete succeed"):
            self.assertEqual(self.status(machine), "NotFound\n")
            result = self.provider(["command"], {**self.machine_env(machine), "COMMAND": "true"})
            self.assertEqual(result.returncode, 255, result.stderr)
            self.ok("stop", machine)
            self.ok("delete", machine)
        with self.steps.step("create again after the loss: a new service"):
            self.ok("create", machine)
            self.assertEqual(self.status(machine), "Running\n")
            self.ok("delete", machine)

    def test_port_clash_moves_to_another_port(self):
        machine = f"e2e-{self.id}-c"
        with self.steps.step("deploy fails with 'port is already allocated': create moves on"):
            self.shim.fail_next_up(PORT_CLASH.format(port=self.options["DOKPLOY_SSH_PORT_RANGE"].split("-")[0]))
            result = self.ok("create", machine)
            self.assertFalse(self.shim.pending_failure(), "the injected failure was not used")
            stderr = result.stderr.decode(errors="replace")
            ports = [int(p) for p in DEPLOYING.findall(stderr)]
            self.assertEqual(len(ports), 2, stderr)
            self.assertNotEqual(ports[0], ports[1])
            # The deploy log's words, read through deployment.readLogs: errorMessage is null on real Dokploy.
            self.assertIn("port is already allocated", stderr)
            self.assertIn("trying another port", stderr)
            self.assertEqual(self.state(machine)["sshPort"], ports[1])
            self.assertEqual(self.status(machine), "Running\n")
        with self.steps.step("a failure that is no port clash quotes the deploy log and cleans up"):
            self.shim.fail_next_up("Error response from daemon: pull access denied for nosuchimage")
            other = f"e2e-{self.id}-d"
            result = self.provider(["create"], self.machine_env(other))
            self.assertEqual(result.returncode, 1)
            line = result.stderr.decode(errors="replace").strip().splitlines()[-1]
            self.assertTrue(line.startswith("error: the deploy of devpod-"), line)
            self.assertIn("pull access denied for nosuchimage", line)
            self.assertIn("tab Deployments", line)
            self.assertEqual(self.api.composes_named(self.project, f"devpod-{other}"), [])
        self.ok("delete", machine)

    def test_rate_limited_api_key(self):
        """A key made through the API with defaults: 10 verifications a day, two per call, then the same 401 as
        a wrong key. The provider's message must name that cause."""
        with self.steps.step("an API-made key: accepted, then refused; the 401 names the rate limit"):
            key = create_default_api_key(self.api.url.replace(":3001", ":3000"), f"e2e-limited-{self.id}")
            env = {**self.options, "DOKPLOY_API_TOKEN": key}
            results = []
            while len(results) < 6 and (not results or results[-1].returncode == 0):
                results.append(self.provider(["init"], env))  # init makes 2 requests: 4 of the 10 verifications
            self.assertEqual(results[0].returncode, 0, results[0].stderr)
            self.assertEqual(results[-1].returncode, 1)
            self.assertEqual(len(results), 3)
            line = results[-1].stderr.decode(errors="replace")
            self.assertIn("DOKPLOY_API_TOKEN was rejected", line)
            # the third init's first request still passed: the provider knows the key was good a moment ago
            self.assertIn("it was accepted moments ago, so it is rate limited", line)
            self.assertIn("Profile > API/CLI", line)
            self.assertNotIn(key, line)


if __name__ == "__main__":
    unittest.main()
