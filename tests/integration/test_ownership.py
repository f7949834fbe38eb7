# SPDX-License-Identifier: MIT
"""A machine belongs to the DevPod that created it.

Two DevPods (two laptops, two contexts, two team members) run `devpod machine create dev` against one Dokploy
project: both see the service devpod-dev. Only the first one's MACHINE_FOLDER holds the key its compose file
authorizes. The second must never redeploy (taking root and the first one's /workspace), start, stop or delete
it; for its status the machine does not exist. The owner keeps every legitimate path: re-running create, and
recovering from a lost state file.
"""
import json
import os
import shutil
import unittest

import yaml

from harness import run_provider
from lifecycle_support import LifecycleCase

MACHINE = "dev"


class OwnershipTest(LifecycleCase):
    def setUp(self):
        super().setUp()
        self.other_root = os.path.join(self.root, "other-laptop")

    def other_env(self, **extra):
        env = self.env(MACHINE, **extra)
        env["MACHINE_FOLDER"] = os.path.join(self.other_root, MACHINE)
        return env

    def as_other(self, verb, **extra):
        return run_provider([verb], self.other_env(**extra), timeout=120)

    def authorized_key(self):
        [compose] = self.composes_named(MACHINE)
        service = yaml.safe_load(compose["composeFile"])["services"]["workspace"]
        return service["environment"]["SSH_AUTHORIZED_KEYS"].strip()

    def own_key(self, folder):
        with open(os.path.join(folder, "id_ed25519.pub"), encoding="utf-8") as file:
            return file.read().strip()

    def test_another_devpod_can_neither_take_nor_touch_the_machine(self):
        self.ok("create", MACHINE)
        owner_key = self.own_key(self.folder(MACHINE))
        self.assertEqual(self.authorized_key(), owner_key)
        self.sim.clear_requests()

        result = self.as_other("create")
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("devpod-dev", line)
        self.assertIn("belongs to another DevPod", line)
        self.assertIn("another machine name or DOKPLOY_PROJECT_NAME", line)
        self.assertEqual(len(self.composes_named(MACHINE)), 1)
        self.assertEqual(self.authorized_key(), owner_key, "the second create replaced the owner's key")
        self.assertEqual(self.requests_to("compose.update") + self.requests_to("compose.deploy"), [],
                         "the second create changed or redeployed the owner's machine")

        status = self.as_other("status")
        self.assertEqual((status.returncode, status.stdout), (0, b"NotFound\n"), status.stderr)
        for verb in ("start", "stop", "delete"):
            with self.subTest(verb=verb):
                line = self.assert_fails_cleanly(self.as_other(verb), 1)
                self.assertIn("belongs to another DevPod", line)
        self.assertEqual(self.requests_to("compose.stop") + self.requests_to("compose.delete"), [])

        # The owner never noticed: same service, same host key, still running.
        self.assertEqual(self.status(MACHINE), "Running\n")
        command = self.provider("command", MACHINE, COMMAND="echo still-mine")
        self.assertEqual((command.returncode, command.stdout), (0, b"still-mine\n"), command.stderr)

    def test_the_owner_keeps_rerunning_create_and_recovering_a_lost_state_file(self):
        self.ok("create", MACHINE)
        self.ok("create", MACHINE)  # a re-run from the same MACHINE_FOLDER reuses the machine
        self.assertEqual(len(self.composes_named(MACHINE)), 1)
        state_file = os.path.join(self.folder(MACHINE), "dokploy-machine.json")
        with open(state_file, encoding="utf-8") as file:
            state = json.load(file)
        os.remove(state_file)
        self.assertEqual(self.status(MACHINE), "Running\n")
        self.ok("stop", MACHINE)
        self.ok("start", MACHINE)
        with open(state_file, encoding="utf-8") as file:
            self.assertEqual(json.load(file)["sshPort"], state["sshPort"])
        self.ok("delete", MACHINE)
        self.assertEqual(self.composes_named(MACHINE), [])

    def test_a_folder_without_keys_cannot_prove_ownership(self):
        """A folder that lost its keys is refused for what changes the machine, not guessed to be the owner."""
        self.ok("create", MACHINE)
        shutil.copytree(self.folder(MACHINE), os.path.join(self.other_root, MACHINE))
        for name in ("id_ed25519", "id_ed25519.pub"):
            os.remove(os.path.join(self.other_root, MACHINE, name))
        line = self.assert_fails_cleanly(self.as_other("delete"), 1)
        self.assertIn("belongs to another DevPod", line)
        self.assertEqual(len(self.composes_named(MACHINE)), 1)


if __name__ == "__main__":
    unittest.main()
