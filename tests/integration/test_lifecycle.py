# SPDX-License-Identifier: MIT
"""create / status / stop / start / delete against the simulator, whose workspaces run a real sshd."""
import json
import os
import shutil
import socket
import stat
import threading
import time

import yaml

from harness import run_provider
from lifecycle_support import LifecycleCase, TOKEN


def parse_compose(compose):
    return yaml.safe_load(compose["composeFile"])


class LifecycleTest(LifecycleCase):
    def test_full_lifecycle(self):
        machine = "ws-full-1a2b3"
        create = self.ok("create", machine)
        self.assertEqual(create.stdout, b"")
        self.assertIn(b"waiting", create.stderr)  # progress lines on stderr
        self.assertEqual(self.status(machine), "Running\n")

        [compose] = self.composes_named(machine)
        self.assertEqual(compose["composeType"], "docker-compose")
        self.assertEqual(compose["sourceType"], "raw")
        service = parse_compose(compose)["services"]["workspace"]
        self.assertIs(service["privileged"], True)
        self.assertEqual(service["restart"], "on-failure")
        self.assertNotIn("networks", service)
        self.assertNotIn("dokploy-network", compose["composeFile"])
        self.assertEqual(sorted(service["environment"]), ["SSH_AUTHORIZED_KEYS", "SSH_HOST_KEY"])
        [mapping] = service["ports"]
        port = int(mapping.split(":")[0])
        low, high = self.port_range
        self.assertTrue(low <= port <= high, mapping)
        self.assertEqual(mapping, f"{port}:22")

        folder = self.folder(machine)
        state = self.machine_state(machine)
        self.assertEqual(state["composeId"], compose["composeId"])
        self.assertEqual(state["sshPort"], port)
        for name in ("dokploy-machine.json", "id_ed25519", "ssh_host_ed25519_key"):
            self.assert_owner_only(os.path.join(folder, name))

        self.ok("stop", machine)
        self.assertEqual(self.status(machine), "Stopped\n")
        self.ok("stop", machine)  # stopping a stopped machine succeeds
        self.ok("start", machine)
        self.assertEqual(self.status(machine), "Running\n")
        self.assertEqual(len(self.composes_named(machine)), 1)

        self.ok("delete", machine)
        self.assertEqual(self.status(machine), "NotFound\n")
        self.assertEqual(self.composes_named(machine), [])
        deleted = self.sim.state()["deletedComposes"]
        self.assertTrue(any(d.get("deleteVolumes") for d in (deleted.values() if isinstance(deleted, dict) else deleted)))
        self.ok("delete", machine)  # deleting a missing machine succeeds

    def test_create_is_idempotent(self):
        machine = "ws-idem-2b3c4"
        self.ok("create", machine)
        port = self.machine_state(machine)["sshPort"]
        with open(os.path.join(self.folder(machine), "id_ed25519")) as file:
            key = file.read()
        self.ok("create", machine)
        self.assertEqual(len(self.composes_named(machine)), 1)
        self.assertEqual(self.machine_state(machine)["sshPort"], port)
        with open(os.path.join(self.folder(machine), "id_ed25519")) as file:
            self.assertEqual(file.read(), key)
        self.assertEqual(self.status(machine), "Running\n")

    def test_state_file_loss_is_recovered_from_dokploy(self):
        machine = "ws-lost-3c4d5"
        self.ok("create", machine)
        state_file = os.path.join(self.folder(machine), "dokploy-machine.json")
        original = self.machine_state(machine)
        os.remove(state_file)
        self.assertEqual(self.status(machine), "Running\n")
        self.ok("stop", machine)
        self.ok("start", machine)
        recovered = self.machine_state(machine)
        self.assertEqual(recovered["composeId"], original["composeId"])
        self.assertEqual(recovered["sshPort"], original["sshPort"])

    def test_rerun_after_devpod_removed_the_folder_does_not_take_over_the_service(self):
        """DevPod removes MACHINE_FOLDER after a failed first create. A service that create could not roll
        back then authorizes a key nobody has: it cannot be told from another DevPod's, so it is left alone
        and the message says how to remove it (test_ownership.py has the other DevPod)."""
        machine = "ws-again-4d5e6"
        self.ok("create", machine)
        [before] = self.composes_named(machine)
        shutil.rmtree(self.folder(machine))
        line = self.assert_fails_cleanly(self.provider("create", machine), 1)
        self.assertIn("delete devpod-" + machine + " in Dokploy if it is really yours", line)
        [after] = self.composes_named(machine)
        self.assertEqual(after["composeId"], before["composeId"])
        self.assertEqual(after["composeFile"], before["composeFile"])

    def test_an_unclaimed_service_left_by_an_interrupted_create_is_reused(self):
        """A create killed between compose.create and compose.update leaves a service without a compose file:
        nobody's yet, so the next create takes it instead of making a duplicate."""
        machine = "ws-half-5e6f7"
        self.ok("create", "ws-neighbour-6f7a8")  # the project and environment, as the interrupted create made
        [environment] = [e for e in self.sim.state()["environments"].values() if e["name"] == "production"]
        self.sim.api("compose.create", body={"name": f"devpod-{machine}", "environmentId": environment["environmentId"]})
        self.ok("create", machine)
        [compose] = self.composes_named(machine)
        self.assertIn("SSH_AUTHORIZED_KEYS", compose["composeFile"])
        self.assertEqual(self.status(machine), "Running\n")

    def test_without_machine_folder_status_works_and_changes_are_refused(self):
        """Only status can do without the machine's key; stop inside the machine has its own flag
        (test_auto_stop.py)."""
        machine = "ws-inside-5e6f7"
        self.ok("create", machine)
        self.assertEqual(self.status(machine, folder=False), "Running\n")
        for verb in ("stop", "delete"):
            with self.subTest(verb=verb):
                line = self.assert_fails_cleanly(self.provider(verb, machine, folder=False), 1)
                self.assertIn("belongs to another DevPod", line)
        self.assertEqual(self.status(machine), "Running\n")

    def test_remote_server_placement_uses_the_server_ip(self):
        machine = "ws-remote-7e8f9"
        # The URL names "localhost"; the remote server's IP is 127.0.0.1: SSH must go to the server's IP.
        url = self.sim.url.replace("127.0.0.1", "localhost")
        self.ok("create", machine, DOKPLOY_SERVER_ID="srv-remote-1", DOKPLOY_SERVER_URL=url)
        [compose] = self.composes_named(machine)
        self.assertEqual(compose["serverId"], "srv-remote-1")
        self.assertEqual(self.machine_state(machine)["sshHost"], "127.0.0.1")
        self.assertEqual(self.status(machine, DOKPLOY_SERVER_ID="srv-remote-1", DOKPLOY_SERVER_URL=url), "Running\n")
        missing = self.provider("create", "ws-remote-none", DOKPLOY_SERVER_ID="srv-404")
        self.assertEqual(missing.returncode, 1)  # only Dokploy can tell: not a usage error (2)
        self.assertIn(b"DOKPLOY_SERVER_ID", missing.stderr)
        self.assertEqual(self.composes_named("ws-remote-none"), [])

    def test_start_of_a_missing_machine_fails_clearly(self):
        result = self.provider("start", "ws-none-6f7a8")
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"does not exist", result.stderr)

    def test_deploy_failure_rolls_back(self):
        machine = "ws-fail-7a8b9"
        self.sim.add_fault(match="compose.deploy", kind="deploy_error", message="image pull failed", count=-1)
        result = self.provider("create", machine)
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"image pull failed", result.stderr)
        self.assertEqual(self.composes_named(machine), [])
        self.assertFalse(os.path.exists(os.path.join(self.folder(machine), "dokploy-machine.json")))
        self.sim.clear_faults()
        self.ok("create", machine)  # nothing half-made blocks the next attempt
        self.assertEqual(self.status(machine), "Running\n")

    def test_deploy_port_conflict_moves_to_another_port(self):
        # As on real Dokploy, the failed deployment's errorMessage is null: Docker's words are in its log only.
        machine = "ws-port-8b9c0"
        self.sim.clear_requests()
        self.sim.add_fault(match="compose.deploy", kind="deploy_error", count=1,
                           message="Bind for 0.0.0.0:2222 failed: port is already allocated")
        result = self.ok("create", machine)
        self.assertIn(b"port is already allocated", result.stderr)
        self.assertIn(b"another port", result.stderr)
        self.assertEqual(len(self.requests_to("deployment.readLogs")), 1)
        self.assertEqual(self.status(machine), "Running\n")

    def test_ports_in_use_are_skipped(self):
        low, _ = self.port_range
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", low))
        listener.listen()
        self.addCleanup(listener.close)
        first, second = "ws-skip-a", "ws-skip-b"
        self.ok("create", first, DOKPLOY_SSH_PORT_RANGE=f"{low}-{low + 2}")
        self.ok("create", second, DOKPLOY_SSH_PORT_RANGE=f"{low}-{low + 2}")
        ports = {self.machine_state(m)["sshPort"]
                 for m in (first, second)}
        self.assertEqual(ports, {low + 1, low + 2})
        full = self.provider("create", "ws-skip-c", DOKPLOY_SSH_PORT_RANGE=f"{low}-{low + 2}")
        self.assertEqual(full.returncode, 1)
        self.assertIn(b"no free SSH port in DOKPLOY_SSH_PORT_RANGE", full.stderr)
        self.assertEqual(self.composes_named("ws-skip-c"), [])

    def test_parallel_creates_get_distinct_ports(self):
        machines = [f"ws-par-{i}" for i in range(4)]
        results = {}

        def create(machine):
            results[machine] = self.provider("create", machine, timeout=180)

        threads = [threading.Thread(target=create, args=(m,)) for m in machines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for machine in machines:
            self.assertEqual(results[machine].returncode, 0, results[machine].stderr.decode())
        ports = [self.machine_state(m)["sshPort"] for m in machines]
        self.assertEqual(len(set(ports)), len(machines), ports)
        for machine in machines:
            self.assertEqual(len(self.composes_named(machine)), 1)
            self.assertEqual(self.status(machine), "Running\n")
        # Racing creates on a fresh server converge on one project.
        projects = [p for p in self.sim.state()["projects"].values() if p["name"] == "devpod-workspaces"]
        self.assertEqual(len(projects), 1, projects)

    def test_same_machine_created_twice_in_parallel_makes_one_service(self):
        machine = "ws-twice-9c0d1"
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.provider("create", machine, timeout=180)))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(self.composes_named(machine)), 1)
        self.assertTrue(any(r.returncode == 0 for r in results), [r.stderr for r in results])
        self.assertEqual(self.status(machine), "Running\n")

    def test_status_never_reports_not_found_for_a_transport_problem(self):
        machine = "ws-down-0d1e2"
        self.ok("create", machine)
        # compose.one: the look-up by the state file's id; project.all: the search without a state file.
        for procedure in ("compose.one", "project.all"):
            with self.subTest(procedure=procedure), self.state_file_hidden(machine, procedure == "project.all"):
                self.sim.clear_faults()
                self.sim.add_fault(match=procedure, kind="status", status=503, count=-1)
                result = self.provider("status", machine, DOKPLOY_TIMEOUT="2s")
                self.assertEqual(result.returncode, 1)
                self.assertEqual(result.stdout, b"")
                self.sim.clear_faults()
                self.sim.add_fault(match=procedure, kind="unauthorized", count=-1)
                result = self.provider("status", machine)
                self.assertEqual(result.returncode, 1)
                self.assertEqual(result.stdout, b"")
                self.assertIn(b"DOKPLOY_API_TOKEN", result.stderr)
        self.sim.clear_faults()

    def test_status_retries_transient_errors(self):
        machine = "ws-flaky-1e2f3"
        self.ok("create", machine)
        self.sim.add_faults([{"match": "compose.one", "kind": "status", "status": 503, "count": 2},
                             {"match": "compose.one", "kind": "status", "status": 502, "count": 1}])
        self.assertEqual(self.status(machine), "Running\n")
        self.assertEqual(self.sim.faults(), [])
        with self.state_file_hidden(machine):  # the search without a state file
            self.sim.add_faults([{"match": "project.all", "kind": "status", "status": 503, "count": 2},
                                 {"match": "compose.one", "kind": "status", "status": 502, "count": 1}])
            self.assertEqual(self.status(machine), "Running\n")
            self.assertEqual(self.sim.faults(), [])

    def test_status_is_busy_while_sshd_is_down_then_running(self):
        machine = "ws-busy-2f3a4"
        self.ok("create", machine)
        [compose] = self.composes_named(machine)
        self.sim.kill_sshd(compose["composeId"])
        self.assertEqual(self.status(machine), "Busy\n")

    def test_busy_is_bounded_by_the_create_timeout(self):
        machine = "ws-stuck-3a4b5"
        self.ok("create", machine)
        [compose] = self.composes_named(machine)
        self.sim.kill_sshd(compose["composeId"])
        self.assertEqual(self.status(machine, DOKPLOY_CREATE_TIMEOUT="10s"), "Busy\n")
        time.sleep(11)
        result = self.provider("status", machine, DOKPLOY_CREATE_TIMEOUT="10s")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, b"")
        self.assertIn(b"has not answered", result.stderr)

    def test_a_deploy_that_never_finishes_times_out_and_rolls_back(self):
        machine = "ws-hang-6d7e8"
        self.sim.add_fault(match="compose.deploy", kind="deploy_hang", count=-1)
        result = self.provider("create", machine, DOKPLOY_CREATE_TIMEOUT="10s")
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"within DOKPLOY_CREATE_TIMEOUT (10s", result.stderr)
        self.assertEqual(self.composes_named(machine), [])

    def test_verbose_output_has_no_secrets(self):
        machine = "ws-secret-4b5c6"
        for verb in ("create", "status", "stop", "start", "delete"):
            with self.subTest(verb=verb):
                result = run_provider(["--verbose", verb], self.env(machine), timeout=120)
                self.assertEqual(result.returncode, 0, result.stderr.decode())
                for stream in (result.stdout, result.stderr):
                    self.assertNotIn(TOKEN.encode(), stream)
                    self.assertNotIn(b"PRIVATE KEY", stream)
                    self.assertNotIn(b"b3BlbnNzaC1rZXktdjE", stream)  # base64 of an OpenSSH private key


class LegacyLifecycleTest(LifecycleCase):
    legacy = True

    def test_full_lifecycle_on_the_v022_layout(self):
        machine = "ws-legacy-5c6d7"
        self.ok("create", machine)
        self.assertEqual(self.status(machine), "Running\n")
        [compose] = self.composes_named(machine)
        self.assertIsNone(compose.get("environmentId"))
        self.ok("stop", machine)
        self.assertEqual(self.status(machine), "Stopped\n")
        self.ok("start", machine)
        self.assertEqual(self.status(machine), "Running\n")
        self.ok("delete", machine)
        self.assertEqual(self.status(machine), "NotFound\n")


class OlderDokployWithoutReadLogsTest(LifecycleCase):
    """Dokploy before v0.29.5 has no deployment.readLogs: a failed deploy cannot be explained from its log."""

    simulator_options = {"read_logs": False}

    def test_a_failed_deploy_says_where_to_read_the_log(self):
        machine = "ws-nologs-1c2d3"
        self.sim.add_fault(match="compose.deploy", kind="deploy_error", count=-1,
                           message="Bind for 0.0.0.0:2222 failed: port is already allocated")
        result = self.provider("create", machine)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("the deploy of devpod-" + machine + " failed", line)
        self.assertIn("open the service devpod-" + machine + " in Dokploy, tab Deployments", line)
        self.assertEqual(self.composes_named(machine), [])
