# SPDX-License-Identifier: MIT
"""The machine state file survives failures and is rebuilt from Dokploy when lost.

- A failed re-run of create undoes only what that run made: the state of a running machine stays, so status,
  command and a later devpod up keep working.
- command rebuilds a lost state file from Dokploy (the owner's key proves the machine is its own).
- Recovery takes the host port mapped to container port 22, not the lowest published port.
"""
import json
import os
import re
import unittest

from harness import free_port_range
from lifecycle_support import LifecycleCase


class StateRecoveryTest(LifecycleCase):
    def state_file(self, machine):
        return os.path.join(self.folder(machine), "dokploy-machine.json")

    def read_state_bytes(self, machine):
        with open(self.state_file(machine), "rb") as file:
            return file.read()

    def test_a_failed_rerun_of_create_keeps_the_running_machines_state(self):
        machine = "st-rerun-1a2b3"
        self.ok("create", machine)
        before = self.read_state_bytes(machine)
        self.sim.add_fault(match="compose.one", kind="status", status=500, count=-1)
        try:
            self.assert_fails_cleanly(self.provider("create", machine, DOKPLOY_TIMEOUT="2s"), 1)
        finally:
            self.sim.clear_faults()
        self.assertEqual(self.read_state_bytes(machine), before, "the rollback touched a state it did not make")
        self.assertEqual(self.status(machine), "Running\n")
        command = self.provider("command", machine, COMMAND="echo alive")
        self.assertEqual((command.returncode, command.stdout), (0, b"alive\n"), command.stderr)

    def test_a_failed_first_create_leaves_no_state(self):
        machine = "st-first-2b3c4"
        self.sim.add_fault(match="compose.deploy", kind="deploy_error", message="image pull failed", count=-1)
        try:
            self.assert_fails_cleanly(self.provider("create", machine), 1)
        finally:
            self.sim.clear_faults()
        self.assertFalse(os.path.exists(self.state_file(machine)))

    def test_command_rebuilds_a_lost_state_file_from_dokploy(self):
        machine = "st-lost-3c4d5"
        self.ok("create", machine)
        before = json.loads(self.read_state_bytes(machine))
        os.remove(self.state_file(machine))
        command = self.provider("command", machine, COMMAND="echo recovered")
        self.assertEqual((command.returncode, command.stdout), (0, b"recovered\n"), command.stderr)
        self.assertIn(b"recovered the machine state", command.stderr)
        after = json.loads(self.read_state_bytes(machine))
        self.assertEqual((after["composeId"], after["sshPort"]), (before["composeId"], before["sshPort"]))
        self.assertEqual(os.stat(self.state_file(machine)).st_mode & 0o077, 0)

    def test_recovery_takes_the_port_mapped_to_ssh_not_the_lowest(self):
        machine = "st-port-4d5e6"
        self.ok("create", machine)
        ssh_port = self.machine_state(machine)["sshPort"]
        low, _ = free_port_range(1, high=ssh_port - 1)  # published next to SSH, and lower than it
        [compose] = self.composes_named(machine)
        edited = re.sub(r'(\n(\s+)- "?\d+:22"?)', rf'\n\2- "{low}:3000"\1', compose["composeFile"], count=1)
        self.assertIn(f"{low}:3000", edited)
        self.sim.api("compose.update", body={"composeId": compose["composeId"], "composeFile": edited})
        self.ok("stop", machine)
        os.remove(self.state_file(machine))
        self.ok("start", machine)
        self.assertEqual(self.machine_state(machine)["sshPort"], ssh_port)
        self.assertEqual(self.status(machine), "Running\n")


if __name__ == "__main__":
    unittest.main()
