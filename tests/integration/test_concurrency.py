# SPDX-License-Identifier: MIT
"""Several provider processes at once against one simulator, as DevPod and its IDE sessions cause them.

- ten creates of different machines in parallel on a fresh server: all succeed, distinct ports, one
  service each, one project and one environment;
- the same machine created twice in parallel (several rounds): one service, at least one run succeeds,
  the other fails cleanly, and the folder, the compose file and Dokploy agree (keys and port);
- status and command running while the machine is being stopped: status prints one word or fails with
  one error line, command exits 0 or 255, nothing hangs.

test_lifecycle.py covers four parallel creates and one same-machine race; these go further.
"""
import base64
import os
import threading
import time
import unittest

import yaml

from lifecycle_support import LOG_LINE, LifecycleCase

WORDS = ("Running\n", "Busy\n", "Stopped\n", "NotFound\n")


def run_all(functions, timeout=240):
    """Runs the callables in parallel threads; returns their results (an exception counts as a result)."""
    results = [None] * len(functions)

    def runner(index, function):
        try:
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            results[index] = error

    threads = [threading.Thread(target=runner, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"parallel runs still going after {timeout} s")
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def compose_service(compose):
    return yaml.safe_load(compose["composeFile"])["services"]["workspace"]


class ParallelCreatesTest(LifecycleCase):
    ports = 20

    def test_ten_machines_created_in_parallel_on_a_fresh_server(self):
        self.assertEqual(self.sim.state()["projects"], {}, "this test needs a server without projects")
        machines = [f"cc-par-{i:02d}" for i in range(10)]
        started = time.monotonic()
        results = run_all([lambda m=m: self.provider("create", m, timeout=200) for m in machines])
        elapsed = time.monotonic() - started
        for machine, result in zip(machines, results):
            self.assertEqual(result.returncode, 0, f"{machine}: {result.stderr.decode()}")
        self.assertLess(elapsed, 150)

        composes = self.composes()
        self.assertEqual(sorted(c["name"] for c in composes), sorted(f"devpod-{m}" for m in machines),
                         "duplicate or missing services")
        ports = {}
        low, high = self.port_range
        for machine in machines:
            [compose] = self.composes_named(machine)
            state = self.machine_state(machine)
            self.assertEqual(state["composeId"], compose["composeId"])
            [mapping] = compose_service(compose)["ports"]
            self.assertEqual(mapping, f"{state['sshPort']}:22")
            self.assertTrue(low <= state["sshPort"] <= high, state)
            ports[machine] = state["sshPort"]
        self.assertEqual(len(set(ports.values())), 10, ports)

        state = self.sim.state()
        projects = [p for p in state["projects"].values() if p["name"] == "devpod-workspaces"]
        self.assertEqual(len(projects), 1, projects)
        environments = [e for e in state["environments"].values()
                        if e.get("projectId") == projects[0]["projectId"] and e["name"] == "production"]
        self.assertEqual(len(environments), 1, environments)
        self.assertEqual({c["environmentId"] for c in composes}, {environments[0]["environmentId"]})

        # Each machine answers on its own port with its own pinned keys: no two were cross-wired.
        statuses = run_all([lambda m=m: self.provider("status", m, timeout=60) for m in machines])
        for machine, result in zip(machines, statuses):
            self.assertEqual((result.returncode, result.stdout), (0, b"Running\n"),
                             f"{machine}: {result.stderr.decode()}")


class SameMachineRaceTest(LifecycleCase):
    ports = 12

    def assert_folder_matches_dokploy(self, machine):
        """Keys and port in MACHINE_FOLDER are the ones in the compose file Dokploy runs."""
        [compose] = self.composes_named(machine)
        service = compose_service(compose)
        folder = self.folder(machine)
        with open(os.path.join(folder, "id_ed25519.pub"), encoding="utf-8") as file:
            client_public = file.read().split()[:2]
        self.assertEqual(service["environment"]["SSH_AUTHORIZED_KEYS"].split()[:2], client_public,
                         "the authorized key in Dokploy is not the folder's client key")
        with open(os.path.join(folder, "ssh_host_ed25519_key"), "rb") as file:
            host_private = file.read()
        self.assertEqual(base64.b64decode("".join(service["environment"]["SSH_HOST_KEY"].split())), host_private,
                         "the host key in Dokploy is not the folder's host key")
        state = self.machine_state(machine)
        self.assertEqual(state["composeId"], compose["composeId"])
        self.assertEqual(service["ports"], [f"{state['sshPort']}:22"])

    def test_the_same_machine_created_twice_at_once_ends_consistent(self):
        for round_number in range(3):
            machine = f"cc-twice-{round_number}"
            with self.subTest(round=round_number):
                results = run_all([lambda: self.provider("create", machine, timeout=200)] * 2)
                self.assertEqual(len(self.composes_named(machine)), 1, "duplicate services")
                self.assertTrue(any(r.returncode == 0 for r in results),
                                [r.stderr.decode() for r in results])
                for result in results:
                    if result.returncode != 0:
                        self.assertEqual(result.returncode, 1, result.stderr.decode())
                        self.assertEqual(result.stdout, b"")
                        errors = [line for line in result.stderr.decode().splitlines()
                                  if line.startswith("error: ")]
                        self.assertEqual(len(errors), 1, result.stderr.decode())
                self.assertEqual(self.status(machine), "Running\n")
                self.assert_folder_matches_dokploy(machine)
                # and the machine is usable: a command runs over the pinned connection
                command = self.provider("command", machine, timeout=60, COMMAND="echo ok")
                self.assertEqual((command.returncode, command.stdout), (0, b"ok\n"), command.stderr.decode())


class BusyMachineTest(LifecycleCase):
    ports = 8

    def test_status_and_command_while_the_machine_is_being_stopped(self):
        machine = "cc-stopping-1"
        self.ok("create", machine)
        stop_done = threading.Event()
        status_results = []

        def status_loop():
            for _ in range(60):  # bounded; ~0.1-0.5 s each
                status_results.append(self.provider("status", machine, timeout=60))
                if stop_done.is_set():
                    status_results.append(self.provider("status", machine, timeout=60))
                    return

        def command(delay):
            time.sleep(delay)
            return self.provider("command", machine, timeout=60, COMMAND="sleep 1; echo done")

        def stop():
            time.sleep(0.6)
            try:
                return self.provider("stop", machine, timeout=60)
            finally:
                stop_done.set()

        started = time.monotonic()
        results = run_all([status_loop, stop] + [lambda d=d: command(d) for d in (0.0, 0.3, 0.5, 0.9)],
                          timeout=120)
        self.assertLess(time.monotonic() - started, 90)
        stop_result, commands = results[1], results[2:]
        self.assertEqual(stop_result.returncode, 0, stop_result.stderr.decode())

        self.assertGreaterEqual(len(status_results), 2)
        for result in status_results:
            stderr = result.stderr.decode(errors="replace")
            self.assertTrue(all(LOG_LINE.match(line) for line in stderr.splitlines()), stderr)
            if result.returncode == 0:
                self.assertIn(result.stdout.decode(errors="replace"), WORDS, stderr)
                # The service exists throughout: NotFound would make DevPod create a second machine.
                self.assertNotEqual(result.stdout, b"NotFound\n", stderr)
            else:
                self.assertEqual(result.returncode, 1, stderr)
                self.assertEqual(result.stdout, b"", stderr)
                self.assertEqual(len([line for line in stderr.splitlines() if line.startswith("error: ")]), 1,
                                 stderr)
        self.assertEqual(status_results[-1].stdout, b"Stopped\n")

        for result in commands:
            self.assertIn(result.returncode, (0, 255), result.stderr.decode())
            if result.returncode == 0:
                self.assertEqual(result.stdout, b"done\n")
            else:
                self.assertNotIn(b"done", result.stdout)
                self.assertEqual(len(result.stderr.decode().strip().splitlines()), 1, result.stderr.decode())
        self.assertEqual(self.status(machine), "Stopped\n")
        self.assertEqual(len(self.composes_named(machine)), 1)


if __name__ == "__main__":
    unittest.main()
