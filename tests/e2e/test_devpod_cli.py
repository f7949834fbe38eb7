# SPDX-License-Identifier: MIT
"""Lane 2: the real DevPod CLI drives the provider, against the project's simulator and against real Dokploy.

DevPod gets the manifest `make provider-dev` renders, for a copy of the binary at a path with a space, with one
change: the agent's path and data path point into a temp dir. The "machines" here are sshd processes on this
host (the simulator's or the docker shim's), so what DevPod's agent does in a machine happens on the test host,
and `devpod up` runs with --disable-daemon (no init service). The agent binary comes from a local server
(DEVPOD_AGENT_URL); nothing leaves 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unittest

from e2e_support import (AgentServer, DevPod, DokployApi, Steps, free_port_range, need, output_of,
                         render_dev_manifest, run_id)
from harness import Simulator, wait_until
from proxy_fixture import Proxy
from sshd_fixture import master_pids, stop_masters

ERROR_LINE = re.compile(r"^\d\d:\d\d:\d\d (error|fatal) ", re.MULTILINE)


def point_agent_into(manifest: str, folder: str) -> None:
    """agent.path and agent.dataPath into `folder`: the only change to the rendered development manifest."""
    with open(manifest, encoding="utf-8") as file:
        text = file.read()
    text, paths = re.subn(r"(?m)^  path: /workspace/\.devpod/devpod$", f"  path: {folder}/devpod", text)
    text, data = re.subn(r"(?m)^  dataPath: /workspace/\.devpod/agent$", f"  dataPath: {folder}/data", text)
    if (paths, data) != (1, 1):
        raise AssertionError("the manifest's agent.path / agent.dataPath lines changed; adapt point_agent_into")
    with open(manifest, "w", encoding="utf-8") as file:
        file.write(text)


class DevPodLane:
    """The scenario; subclasses give the Dokploy it runs against (url, token, what it holds)."""

    backend = ""

    @classmethod
    def setUpClass(cls):
        cls.steps = Steps(f"DevPod + {cls.backend}")
        cls.id = run_id()
        cls.scratch = tempfile.mkdtemp(prefix="dp-e2e-devpod-")
        cls.agent_server = AgentServer(need("E2E_DEVPOD"))
        cls.devpod = DevPod(cls.agent_server)
        cls.manifest = os.path.join(cls.scratch, "provider.dev.yaml")
        render_dev_manifest(need("E2E_BINARY"), cls.manifest)
        point_agent_into(cls.manifest, os.path.join(cls.scratch, "agent"))
        low, high = free_port_range(8)
        cls.project = f"e2e-devpod-{cls.id}"
        cls.options = {"DOKPLOY_SERVER_URL": cls.url(), "DOKPLOY_API_TOKEN": cls.token(),
                       "DOKPLOY_PROJECT_NAME": cls.project, "DOKPLOY_SSH_HOST": "127.0.0.1",
                       "DOKPLOY_SSH_PORT_RANGE": f"{low}-{high}", "DOKPLOY_CREATE_TIMEOUT": "2m"}

    @classmethod
    def tearDownClass(cls):
        cls.agent_server.stop()
        stop_masters(cls.devpod.home)  # the provider's shared SSH connections, if a test left one
        cls.devpod.cleanup()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def devpod_ok(self, *args, expect: str | None = None) -> str:
        result = self.devpod(*args)
        text = output_of(result)
        self.assertEqual(result.returncode, 0, f"devpod {' '.join(args)}:\n{text[-3000:]}")
        self.assertIsNone(ERROR_LINE.search(text), text)
        if expect is not None:
            self.assertIn(expect, text)
        return text

    def service_names(self) -> list:
        """The names of every compose service of the backend (the lane's project on real Dokploy)."""
        raise NotImplementedError

    def machine_folder(self, machine: str) -> str:
        """DevPod's MACHINE_FOLDER for `machine` (in the lane's DEVPOD_HOME)."""
        return os.path.join(self.devpod.env["DEVPOD_HOME"], "contexts", "default", "machines", machine)

    def services(self, machine: str) -> list:
        """Services named devpod-<machine>, or starting with it when `machine` ends with '-'."""
        wanted = f"devpod-{machine}"
        return [n for n in self.service_names() if n == wanted or (machine.endswith("-") and n.startswith(wanted))]

    def test_machine_lifecycle_and_up(self):
        machine = f"m-{self.id}"
        with self.steps.step("provider add of the provider-dev manifest: init shown as info"):
            options = [arg for key, value in self.options.items() for arg in ("-o", f"{key}={value}")]
            text = self.devpod_ok("provider", "add", self.manifest, *options,
                                  expect="Successfully installed provider dokploy")
            self.assertRegex(text, r"info .*accepted the token")
        with self.steps.step("machine create"):
            self.devpod_ok("machine", "create", machine, "--provider", "dokploy",
                           expect=f"Successfully created machine '{machine}'")
            self.assertEqual(len(self.services(machine)), 1)
        with self.steps.step("machine status: Running"):
            self.devpod_ok("machine", "status", machine, expect=f"Machine '{machine}' is 'Running'")
        with self.steps.step("machine ssh --command (agent injected through `command`)"):
            result = self.devpod("machine", "ssh", machine, "--command", "printf 'six times seven: %d' $((6*7))")
            self.assertEqual(result.returncode, 0, output_of(result))
            self.assertIn(b"six times seven: 42", result.stdout)
            failing = self.devpod("machine", "ssh", machine, "--command", "echo before-exit; exit 3")
            self.assertIn(b"before-exit", failing.stdout)
            self.assertEqual(failing.returncode, 1)  # DevPod reports any remote failure as 1
            self.assertIn("Process exited with status 3", output_of(failing))
            # DevPod's calls of `command` went over one shared SSH connection, which outlives them.
            folder = self.machine_folder(machine)
            self.assertTrue(os.path.exists(os.path.join(folder, "ssh-master.sock")), os.listdir(folder))
            self.assertEqual(len(master_pids(folder)), 1)
        with self.steps.step("machine stop, status Stopped"):
            self.devpod_ok("machine", "stop", machine, expect=f"Successfully stopped '{machine}'")
            self.devpod_ok("machine", "status", machine, expect=f"Machine '{machine}' is 'Stopped'")
            # stop ends the shared connection.
            self.assertFalse(os.path.exists(os.path.join(folder, "ssh-master.sock")))
            wait_until(lambda: not master_pids(folder), timeout=3, what="stop to end the shared connection")
        with self.steps.step("machine start, status Running"):
            self.devpod_ok("machine", "start", machine, expect=f"Successfully started '{machine}'")
            self.devpod_ok("machine", "status", machine, expect=f"Machine '{machine}' is 'Running'")
        with self.steps.step("machine delete"):
            self.devpod_ok("machine", "delete", machine)
            self.assertEqual(self.services(machine), [])
            self.assertNotIn(machine, self.devpod_ok("machine", "list"))
        folder = os.path.join(self.scratch, f"ws{self.id}")
        os.makedirs(folder)
        with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as file:
            file.write("e2e workspace\n")
        with self.steps.step("devpod up: machine, agent injection, tunnel, upload, then Docker"):
            result = self.devpod("up", folder, "--provider", "dokploy", "--ide", "none", "--disable-daemon")
            text = output_of(result)
            self.assertIn("Successfully created machine", text)
            self.assertIn("Upload folder to server", text)  # the agent's tunnel through `command` works
            # The machine here has no Docker daemon: the first Docker call is where it must stop.
            self.assertNotEqual(result.returncode, 0, text)
            self.assertRegex(text, r"docker( ps)?: .*(Cannot connect to the Docker daemon|not found)")
            self.assertIsNone(re.search(r"agent.*(timed out|not come up)|Waiting for devpod agent", text), text)
        with self.steps.step("devpod delete --force of that workspace"):
            workspace = f"ws{self.id}"
            self.devpod_ok("delete", workspace, "--force")
            self.assertEqual(self.services(f"{workspace}-"), [])
            self.assertTrue(os.path.exists(os.path.join(self.scratch, "agent", "devpod")))


class DevPodWithSimulatorLane(DevPodLane, unittest.TestCase):
    backend = "simulator"

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(token=f"e2e-sim-token-{run_id()}", servers=[("srv-e2e", "builder", "127.0.0.1")]).start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.sim.stop()

    @classmethod
    def url(cls):
        return cls.sim.url

    @classmethod
    def token(cls):
        return cls.sim.token

    def test_provider_add_offers_the_dokploys_servers_to_pick_from(self):
        """The subOptionsCommand: DOKPLOY_SERVER_ID becomes a choice of the Dokploy's servers."""
        devpod = DevPod(self.agent_server)
        self.addCleanup(devpod.cleanup)
        with self.steps.step("provider add; provider options shows the server picker; a server is picked"):
            options = [arg for key, value in self.options.items() for arg in ("-o", f"{key}={value}")]
            self.assertEqual(devpod("provider", "add", self.manifest, *options).returncode, 0)
            shown = devpod("provider", "options", "dokploy", "--output", "json")
            self.assertEqual(shown.returncode, 0, output_of(shown))
            server = json.loads(shown.stdout)["DOKPLOY_SERVER_ID"]
            self.assertEqual(server["enum"], [{"displayName": "the Dokploy host"},
                                              {"value": "srv-e2e", "displayName": "builder (127.0.0.1)"}])
            picked = devpod("provider", "set-options", "dokploy", "-o", "DOKPLOY_SERVER_ID=srv-e2e")
            self.assertIn("on server 'builder' (127.0.0.1)", output_of(picked))
            self.assertNotIn("DOKPLOY_API_TOKEN", json.dumps(server))
        with self.steps.step("set-options: DevPod refuses a malformed value with the pattern's message"):
            refused = devpod("provider", "set-options", "dokploy", "-o", "DOKPLOY_SSH_PORT_RANGE=22-80")
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("DOKPLOY_SSH_PORT_RANGE is LOW-HIGH with 1024 <= LOW <= HIGH <= 65535", output_of(refused))
            for value in ("", "4h"):  # empty: DevPod's default, which the pattern lets through
                accepted = devpod("provider", "set-options", "dokploy", "-o", f"DOKPLOY_INACTIVITY_TIMEOUT={value}")
                self.assertEqual(accepted.returncode, 0, output_of(accepted))
            refused = devpod("provider", "set-options", "dokploy", "-o", "DOKPLOY_INACTIVITY_TIMEOUT=never")
            self.assertIn("DOKPLOY_INACTIVITY_TIMEOUT is a duration like 30m or 4h", output_of(refused))

    def test_devpods_environment_reaches_the_provider_proxy_and_debug(self):
        """DevPod passes its environment on: http_proxy takes the API through a proxy, DEVSY_DEBUG (the fork's
        name) turns on the provider's debug logs."""
        devpod = DevPod(self.agent_server)
        self.addCleanup(devpod.cleanup)
        with Proxy() as proxy, self.steps.step("provider add behind http_proxy, with DEVSY_DEBUG=true"):
            devpod.env.update(http_proxy=proxy.url, DEVSY_DEBUG="true")
            options = [arg for key, value in self.options.items() for arg in ("-o", f"{key}={value}")]
            added = devpod("provider", "add", self.manifest, *options)
            self.assertEqual(added.returncode, 0, output_of(added))
            self.assertIn(("GET", f"{self.sim.url}/api/settings.getDokployVersion"), proxy.seen)
            self.assertIn("debug GET settings.getDokployVersion -> 200", output_of(added))
            self.assertNotIn(self.sim.token, output_of(added))

    def test_a_machine_that_never_answers_ssh_is_explained_in_devpods_output(self):
        """DevPod shows the provider's error: the container's last log lines, not just "timed out"."""
        devpod = DevPod(self.agent_server)
        self.addCleanup(devpod.cleanup)
        machine = f"why-{self.id}"
        with self.steps.step("machine create whose sshd never starts: the container log in DevPod's output"):
            options = dict(self.options, DOKPLOY_CREATE_TIMEOUT="10s")
            added = devpod("provider", "add", self.manifest, *[a for k, v in options.items() for a in ("-o", f"{k}={v}")])
            self.assertEqual(added.returncode, 0, output_of(added))
            self.addCleanup(self.sim.clear_faults)
            self.sim.add_fault(match="compose.deploy", kind="no_sshd", mode="closed", count=1,
                               log="E: Unable to locate package openssh-server")
            created = devpod("machine", "create", machine, "--provider", "dokploy")
            self.assertNotEqual(created.returncode, 0, output_of(created))
            self.assertIn("did not become reachable over SSH", output_of(created))
            self.assertIn("E: Unable to locate package openssh-server", output_of(created))
            self.assertEqual(self.services(machine), [])

    def test_a_mutable_option_changed_with_devpod_up_reaches_the_stopped_machine(self):
        """DevPod saves a changed mutable option into the machine and starts it; start deploys it again."""
        devpod = DevPod(self.agent_server)
        self.addCleanup(devpod.cleanup)
        folder = os.path.join(self.scratch, f"mut{self.id}")
        os.makedirs(folder)
        with self.steps.step("devpod up, machine stop, devpod up --provider-option DOKPLOY_MACHINE_MEMORY=2g"):
            options = [arg for key, value in self.options.items() for arg in ("-o", f"{key}={value}")]
            self.assertEqual(devpod("provider", "add", self.manifest, *options).returncode, 0)
            first = devpod("up", folder, "--provider", "dokploy", "--ide", "none", "--disable-daemon")
            self.assertIn("Successfully created machine", output_of(first))
            [name] = self.services(f"mut{self.id}-")
            self.assertEqual(devpod("machine", "stop", name.removeprefix("devpod-")).returncode, 0)
            again = devpod("up", folder, "--ide", "none", "--disable-daemon",
                           "--provider-option", "DOKPLOY_MACHINE_MEMORY=2g")
            self.assertIn("deploying it again with the same keys, port and volumes", output_of(again))
            [compose] = [c for c in self.sim.state()["composes"].values() if c["name"] == name]
            self.assertIn('mem_limit: "2g"', compose["composeFile"])
            deleted = devpod("delete", f"mut{self.id}", "--force")
            self.assertEqual(deleted.returncode, 0, output_of(deleted))

    def test_a_new_token_set_once_reaches_an_existing_machine(self):
        """Connection options are global: the key rotated with `provider set-options` is what the provider gets
        for a machine made with the old one (a per-machine copy of the old key would be refused)."""
        devpod = DevPod(self.agent_server)
        self.addCleanup(devpod.cleanup)
        machine = f"rot-{self.id}"
        with self.steps.step("provider add, machine create, then the API key is rotated in Dokploy"):
            options = [arg for key, value in self.options.items() for arg in ("-o", f"{key}={value}")]
            self.assertEqual(devpod("provider", "add", self.manifest, *options).returncode, 0)
            created = devpod("machine", "create", machine, "--provider", "dokploy")
            self.assertEqual(created.returncode, 0, output_of(created))
            self.addCleanup(self.sim.rotate_token, self.sim.token)  # the other lane's DevPod knows the first key
            self.sim.rotate_token(f"e2e-sim-token-{run_id()}-rotated")
            refused = devpod("machine", "status", machine)
            self.assertIn("DOKPLOY_API_TOKEN was rejected", output_of(refused))
        with self.steps.step("provider set-options with the new key once: the existing machine works"):
            changed = devpod("provider", "set-options", "dokploy", "-o", f"DOKPLOY_API_TOKEN={self.sim.token}")
            self.assertEqual(changed.returncode, 0, output_of(changed))
            status = devpod("machine", "status", machine)
            self.assertIn(f"Machine '{machine}' is 'Running'", output_of(status))
            stopped = devpod("machine", "stop", machine)
            self.assertEqual(stopped.returncode, 0, output_of(stopped))
            deleted = devpod("machine", "delete", machine)
            self.assertEqual(deleted.returncode, 0, output_of(deleted))
            self.assertEqual(self.services(machine), [])

    def service_names(self) -> list:
        return [c["name"] for c in self.sim.state()["composes"].values()]


class DevPodWithRealDokployLane(DevPodLane, unittest.TestCase):
    backend = "real Dokploy"

    @classmethod
    def setUpClass(cls):
        cls.api = DokployApi()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        cls.api.remove_project(cls.project)
        super().tearDownClass()

    @classmethod
    def url(cls):
        return cls.api.url

    @classmethod
    def token(cls):
        return cls.api.token

    def service_names(self) -> list:
        project = self.api.project(self.project)
        return [c["name"] for e in (project or {}).get("environments", []) for c in e.get("compose", [])]


if __name__ == "__main__":
    unittest.main()
