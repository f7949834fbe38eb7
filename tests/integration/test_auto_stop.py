# SPDX-License-Identifier: MIT
"""Auto-stop: `stop --from-machine`, as DevPod's agent runs it inside the machine after the inactivity timeout.

There the options are the laptop's (a DOKPLOY_CA_FILE path that does not exist, a URL that may not be reachable)
and MACHINE_FOLDER is a path on the machine that holds nothing. Two ways must work:
- through Dokploy, when it can be reached (the service then shows as stopped), ignoring the laptop's CA path;
- from inside, when it cannot: the workspace entrypoint (PID 1 of the container) ends the machine. That is
  tested with the real entrypoint from a rendered compose file as PID 1 of fresh PID, mount and network
  namespaces (root only), where it runs a real sshd, and the provider entering those namespaces as the
  agent's hook would run inside the container.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import yaml

from harness import provider_binary, run_provider, unreachable_url, wait_until
from lifecycle_support import LifecycleCase

LAPTOP_CA = "/home/someone/.config/dokploy/private-ca.pem"  # exists on the user's computer, not in the machine
REMOTE_FOLDER = "/root/.devpod/contexts/default/machines/{}"  # what DevPod's agent passes as MACHINE_FOLDER


class StopFromMachineThroughDokployTest(LifecycleCase):
    def agent_env(self, machine, **extra):
        env = self.env(machine, folder=False, DOKPLOY_CA_FILE=LAPTOP_CA, **extra)
        env["MACHINE_FOLDER"] = REMOTE_FOLDER.format(machine)
        return env

    def test_the_hook_stops_the_machine_through_dokploy_despite_the_laptops_ca_path(self):
        machine = "auto-stop-api-1a2b3"
        self.assertEqual(self.provider("create", machine).returncode, 0)
        result = run_provider(["stop", "--from-machine"], self.agent_env(machine), timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(result.stdout, b"")
        self.assertIn(b"DOKPLOY_CA_FILE " + LAPTOP_CA.encode() + b" is not in the machine", result.stderr)
        self.assertIn(b"stopped devpod-" + machine.encode(), result.stderr)
        [compose] = self.composes_named(machine)
        self.assertEqual(compose["composeStatus"], "idle")
        self.assertEqual(self.status(machine), "Stopped\n")

    def test_a_machine_that_stopped_itself_is_stopped_and_starts_again(self):
        """Dokploy still says "done" when the entrypoint ended the container; its containers say "exited"."""
        machine = "auto-stop-exited-3d4e5"
        self.assertEqual(self.provider("create", machine).returncode, 0)
        [compose] = self.composes_named(machine)
        self.sim.exit_container(compose["composeId"])
        self.assertEqual(self.status(machine), "Stopped\n")
        self.assertEqual(self.sim.state()["composes"][compose["composeId"]]["composeStatus"], "done")
        result = self.provider("start", machine)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(self.status(machine), "Running\n")
        self.assertEqual(self.provider("command", machine, COMMAND="echo back").stdout, b"back\n")

    def test_plain_stop_still_refuses_a_missing_ca_file(self):
        """Only the machine's hook forgives the laptop's path; on the laptop a missing file is a mistake."""
        result = run_provider(["stop"], self.agent_env("auto-stop-plain-4c5d6"), timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"DOKPLOY_CA_FILE", result.stderr)

    def test_outside_a_machine_an_unreachable_dokploy_is_a_clear_failure(self):
        """PID 1 here is no workspace entrypoint: the hook must not signal it, and must say why it failed."""
        env = self.agent_env("auto-stop-nowhere-7e8f9", DOKPLOY_SERVER_URL=unreachable_url(), DOKPLOY_TIMEOUT="2s")
        result = run_provider(["stop", "--from-machine"], env, timeout=120)
        self.assertEqual(result.returncode, 1, result.stderr.decode())
        stderr = result.stderr.decode()
        self.assertIn("could not stop the machine through Dokploy", stderr)
        self.assertIn("not a dokploy-provider machine", stderr)
        self.assertTrue(stderr.strip().splitlines()[-1].startswith("error: "), stderr)


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare") and shutil.which("nsenter"),
                     "needs root, unshare and nsenter (PID, mount and network namespaces)")
class EntrypointStopsItselfTest(LifecycleCase):
    """The real entrypoint as PID 1 of its own namespaces, like a container's, with a real sshd."""

    def setUp(self):
        super().setUp()
        self.tools = tempfile.mkdtemp(prefix="dp-entrypoint-bin-")
        self.addCleanup(shutil.rmtree, self.tools, True)
        # Only what the script needs, so that it finds no dockerd to start even where one is installed.
        for tool in ("base64", "mkdir", "chmod", "cat", "seq", "sleep"):
            os.symlink(shutil.which(tool), os.path.join(self.tools, tool))

    def entrypoint_of(self, machine):
        """argv and environment of the workspace service, from the compose file create rendered."""
        self.assertEqual(self.provider("create", machine).returncode, 0)
        [compose] = self.composes_named(machine)
        service = yaml.safe_load(compose["composeFile"])["services"]["workspace"]
        # Compose turns "$$" into "$" before running the entrypoint.
        argv = [part.replace("$$", "$") for part in service["entrypoint"]]
        return argv, {k: str(v) for k, v in service["environment"].items()}

    def start_machine(self, machine):
        """Runs the entrypoint as PID 1; returns (the unshare process, the host PID of namespace PID 1)."""
        argv, environment = self.entrypoint_of(machine)
        self.assertEqual(argv[-1], "dokploy-workspace")
        env = {"PATH": self.tools, **environment}
        # In the new mount namespace, tmpfs over /root and /etc/ssh keeps the script's keys and sshd
        # configuration away from this host's; sshd listens on port 22 of the new network namespace.
        prepare = "mount -t tmpfs tmpfs /root && mount -t tmpfs tmpfs /etc/ssh && ip link set lo up && exec \"$@\""
        process = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", "--mount", "--net", "/bin/sh", "-c", prepare, "sh",
             "/usr/bin/env", "-i", *[f"{k}={v}" for k, v in env.items()], *argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self.kill_group, process)
        pid1 = wait_until(lambda: self.only_child(process.pid), timeout=10, what="the namespace's PID 1")
        wait_until(lambda: "sshd" in self.child_commands(pid1), timeout=20, what="sshd under the entrypoint")
        return process, pid1

    @staticmethod
    def kill_group(process):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        process.stdout.close()

    @staticmethod
    def only_child(pid):
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                found = children.read().split()
        except OSError:
            return None
        return int(found[0]) if found else None

    @staticmethod
    def child_commands(pid):
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                kids = children.read().split()
            names = []
            for kid in kids:
                with open(f"/proc/{kid}/comm") as comm:
                    names.append(comm.read().strip())
            return names
        except OSError:
            return []

    def test_the_hook_ends_the_machine_when_dokploy_is_out_of_reach(self):
        machine = "auto-stop-self-2b3c4"
        process, pid1 = self.start_machine(machine)
        # The provider in the machine's namespaces, with the laptop's options: Dokploy's URL is unreachable
        # from there (the namespace has only its own loopback) and the CA file does not exist.
        binary_dir = tempfile.mkdtemp(prefix="dp agent binaries ")  # a space, as in the agent's paths
        self.addCleanup(shutil.rmtree, binary_dir, True)
        binary = os.path.join(binary_dir, "dokploy-provider")
        shutil.copy(provider_binary(), binary)
        env = [f"{k}={v}" for k, v in {
            "PATH": "/usr/bin:/bin", "DOKPLOY_SERVER_URL": self.sim.url, "DOKPLOY_API_TOKEN": self.sim.token,
            "DOKPLOY_CA_FILE": LAPTOP_CA, "DOKPLOY_TIMEOUT": "2s", "MACHINE_ID": machine,
            "MACHINE_FOLDER": REMOTE_FOLDER.format(machine)}.items()]
        hook = subprocess.run(["nsenter", f"--target={pid1}", "--pid", "--mount", "--net", "--",
                               "/usr/bin/env", "-i", *env, binary, "stop", "--from-machine"],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        stderr = hook.stderr.decode(errors="replace")
        # When PID 1 ends, the kernel kills what is left in its PID namespace, the hook included if it has not
        # exited yet (in a container: the agent that ran it too). Either way the machine is stopping.
        self.assertIn(hook.returncode, (0, -signal.SIGKILL), stderr)
        self.assertIn("could not stop the machine through Dokploy", stderr)
        self.assertIn("asked the machine's entrypoint to stop the machine", stderr)
        # The entrypoint stops sshd and exits 0: `restart: on-failure` leaves such a container stopped.
        status = process.wait(timeout=30)
        output = process.stdout.read()
        self.assertEqual(status, 0, output.decode(errors="replace"))
        self.assertIn(b"stopping: requested from inside the machine", output)
        self.assertFalse(os.path.exists(f"/proc/{pid1}"))

    def test_docker_stop_ends_the_machine_with_143_so_a_reboot_brings_it_back(self):
        process, pid1 = self.start_machine("auto-stop-term-5d6e7")
        os.kill(pid1, signal.SIGTERM)
        self.assertEqual(process.wait(timeout=30), 143)

    def test_sshd_dying_on_its_own_is_a_failure_docker_restarts(self):
        process, pid1 = self.start_machine("auto-stop-crash-8f9a0")
        with open(f"/proc/{pid1}/task/{pid1}/children") as children:
            [sshd] = [int(kid) for kid in children.read().split()]
        os.kill(sshd, signal.SIGKILL)
        self.assertNotEqual(process.wait(timeout=30), 0)
        # and the script said so
        self.assertIn(b"sshd exited with status", process.stdout.read())


if __name__ == "__main__":
    unittest.main()
