# SPDX-License-Identifier: MIT
"""delete and start where Dokploy or the host get in the way.

- delete never interleaves with a create of the same machine: it waits for it, then deletes what it made.
- delete proves the service is gone by its id; a compose.delete that answers 200 and leaves the service is
  a failure naming what is left, not "deleted" eight times. A deployed service is stopped first
  (Dokploy#4064 left containers and volumes running after compose.delete).
- start moves a machine whose port was taken while it was stopped, keeping its pinned host key.
"""
import socket
import threading
import unittest

from harness import wait_until
from lifecycle_support import LifecycleCase


class DeleteTest(LifecycleCase):
    def test_delete_during_create_waits_and_leaves_nothing_running(self):
        machine = "dl-race-1a2b3"
        # A slow compose.update keeps the create busy between compose.create and the deploy.
        self.sim.add_fault(match="compose.update", kind="slow", seconds=3, count=1)
        created = {}
        creator = threading.Thread(target=lambda: created.setdefault("result", self.provider("create", machine)))
        creator.start()
        wait_until(lambda: self.composes_named(machine), timeout=30, what="the create's compose service")
        deletion = self.provider("delete", machine)
        creator.join(timeout=180)
        self.assertEqual(deletion.returncode, 0, deletion.stderr.decode())
        self.assertIn(b"waiting for it to finish before deleting", deletion.stderr)
        self.assertIn(b"deleted devpod-" + machine.encode(), deletion.stderr)
        self.assertEqual(created["result"].returncode, 0, created["result"].stderr.decode())
        self.assertEqual(self.composes_named(machine), [])
        self.assertEqual(self.status(machine), "NotFound\n")
        alive = [s for c in self.sim.state()["orphans"] for s in c["sshd"] if s["alive"]]
        self.assertEqual(alive, [], "a privileged machine runs unknown to DevPod")

    def test_a_delete_that_leaves_the_service_fails_and_says_so(self):
        machine = "dl-stays-2b3c4"
        self.ok("create", machine)
        [compose] = self.composes_named(machine)
        self.sim.clear_requests()
        self.sim.add_fault(match="compose.delete", kind="wrongshape", body=compose, count=-1)
        try:
            result = self.provider("delete", machine)
        finally:
            self.sim.clear_faults()
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("still there", line)
        self.assertIn(compose["composeId"], line)
        self.assertNotIn(b"deleted devpod-", result.stderr)
        self.assertEqual(len(self.requests_to("compose.delete")), 1)
        # A deployed service is stopped before compose.delete.
        paths = [r["path"] for r in self.sim.requests() if r["method"] == "POST"]
        self.assertLess(paths.index("/api/compose.stop"), paths.index("/api/compose.delete"))
        self.ok("delete", machine)
        self.assertEqual(self.composes_named(machine), [])


class StartTest(LifecycleCase):
    def test_start_moves_a_machine_whose_port_was_taken_and_keeps_its_host_key(self):
        machine = "st-taken-3c4d5"
        self.ok("create", machine)
        old_port = self.machine_state(machine)["sshPort"]
        with open(f"{self.folder(machine)}/ssh_host_ed25519_key.pub", encoding="utf-8") as file:
            host_key = file.read()
        self.ok("stop", machine)
        squatter = socket.socket()
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", old_port))
        squatter.listen()
        self.addCleanup(squatter.close)
        result = self.ok("start", machine)
        self.assertIn(b"is taken now; moving the machine to another port", result.stderr)
        new_port = self.machine_state(machine)["sshPort"]
        self.assertNotEqual(new_port, old_port)
        self.assertEqual(self.status(machine), "Running\n")
        with open(f"{self.folder(machine)}/ssh_host_ed25519_key.pub", encoding="utf-8") as file:
            self.assertEqual(file.read(), host_key)
        command = self.provider("command", machine, COMMAND="echo moved")  # the pinned host key still matches
        self.assertEqual((command.returncode, command.stdout), (0, b"moved\n"), command.stderr)

    def test_start_deploys_again_when_the_machines_options_changed(self):
        """Mutable options (image, CPUs, memory, GPUs): the stopped machine comes back with what they ask for,
        with the same service, keys, port and volumes (never compose.delete)."""
        machine = "st-resize-4d5e6"
        self.ok("create", machine)
        port = self.machine_state(machine)["sshPort"]
        [before] = self.composes_named(machine)
        self.ok("stop", machine)
        self.sim.clear_requests()
        result = self.ok("start", machine, DOKPLOY_MACHINE_MEMORY="2g", DOKPLOY_MACHINE_CPUS="1.5",
                         DOKPLOY_MACHINE_GPUS="1")
        self.assertIn(b"deploying it again with the same keys, port and volumes", result.stderr)
        [after] = self.composes_named(machine)
        self.assertEqual(after["composeId"], before["composeId"])
        self.assertIn('mem_limit: "2g"', after["composeFile"])
        self.assertIn('cpus: "1.5"', after["composeFile"])
        self.assertIn("count: 1", after["composeFile"])
        self.assertEqual(self.machine_state(machine)["sshPort"], port)
        self.assertEqual(len(self.requests_to("compose.deploy")), 1)
        self.assertEqual(self.requests_to("compose.delete"), [])
        command = self.provider("command", machine, COMMAND="echo resized")  # the same pinned host key
        self.assertEqual((command.returncode, command.stdout), (0, b"resized\n"), command.stderr)
        # Unchanged options: a plain compose.start, no deploy.
        self.ok("stop", machine)
        self.sim.clear_requests()
        self.ok("start", machine, DOKPLOY_MACHINE_MEMORY="2g", DOKPLOY_MACHINE_CPUS="1.5", DOKPLOY_MACHINE_GPUS="1")
        self.assertEqual(self.requests_to("compose.deploy"), [])
        self.assertEqual(len(self.requests_to("compose.start")), 1)


if __name__ == "__main__":
    unittest.main()
