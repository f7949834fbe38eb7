# SPDX-License-Identifier: MIT
"""Fault injection: every subcommand against a misbehaving Dokploy (and a misbehaving workspace sshd).

For each fault the provider must either succeed after bounded retries, or fail with exactly one error line
on stderr and a documented exit code (1 for operations, 255 for `command`'s SSH), within a bounded wall
time, never print `NotFound` for a transport/auth/parse problem, and never leave a half-made compose
service behind. Retries are checked in the simulator's request log.

Not repeated here (see test_lifecycle.py / test_init.py): deploy_error and deploy_hang on `create`, status
with project.all 503/401, 503/reset/429 on `init`'s first calls, non-JSON on init.
"""
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

from harness import provider_env, run_provider
from lifecycle_support import LifecycleCase

TIMEOUT = "2s"            # DOKPLOY_TIMEOUT for every run here
CREATE_TIMEOUT = "10s"    # DOKPLOY_CREATE_TIMEOUT where a wait must give up
# The provider gives up on one call after 2 x DOKPLOY_TIMEOUT, retries included (README: time limits); create
# and start may chain a few calls, so every bound below is generous but finite.
CALL_BOUND = 35


class FaultCase(LifecycleCase):
    ports = 16

    def setUp(self):
        super().setUp()
        self.sim.clear_requests()
        # Runs before LifecycleCase's delete_everything (cleanups are LIFO): clean up without faults.
        self.addCleanup(self.sim.clear_faults)

    def env(self, machine_id, folder=True, **extra):
        extra.setdefault("DOKPLOY_TIMEOUT", TIMEOUT)
        return super().env(machine_id, folder=folder, **extra)

    def init(self, **extra):
        started = time.monotonic()
        result = run_provider(["init"], provider_env(self.sim, DOKPLOY_TIMEOUT=TIMEOUT, **extra), timeout=120)
        return result, time.monotonic() - started

    def created(self, machine):
        """Creates a machine (no faults) and returns its composeId."""
        self.ok("create", machine)
        [compose] = self.composes_named(machine)
        self.sim.clear_requests()
        return compose["composeId"]

    def fault(self, **rule):
        self.sim.clear_faults()
        self.sim.clear_requests()
        self.sim.add_fault(**rule)

    def assert_nothing_left(self, machine):
        self.assertEqual(self.composes_named(machine), [], "a failed create left its compose service behind")
        self.assertFalse(os.path.exists(os.path.join(self.folder(machine), "dokploy-machine.json")))

    def assert_status_error(self, result):
        """status failed to find out: exit 1, empty stdout (never a word), one error line."""
        return self.assert_fails_cleanly(result, 1)


class RetryTest(FaultCase):
    def test_transient_503s_on_every_mutation_are_retried(self):
        machine = "ft-503-a1b2c"
        self.sim.add_faults([{"match": "compose.create", "kind": "status", "status": 503, "count": 2},
                             {"match": "compose.deploy", "kind": "status", "status": 503, "count": 2}])
        result = self.ok("create", machine)
        self.assertIn(b"retrying", result.stderr)
        self.assertEqual(len(self.requests_to("compose.create")), 3)  # 2 refused + 1 processed
        self.assertEqual(len(self.requests_to("compose.deploy")), 3)
        self.assertEqual(len(self.composes_named(machine)), 1)
        for verb, procedure in (("stop", "compose.stop"), ("start", "compose.start"), ("delete", "compose.delete")):
            with self.subTest(verb=verb):
                self.fault(match=procedure, kind="status", status=503, count=2)
                self.ok(verb, machine)
                self.assertEqual(len(self.requests_to(procedure)), 3)
                self.assertEqual(self.sim.faults(), [])
        self.assertEqual(self.composes_named(machine), [])

    def test_persistent_503_gives_up_after_a_bounded_number_of_attempts(self):
        machine = "ft-503p-b2c3d"
        self.created(machine)
        self.ok("stop", machine)
        # project.all: searched for the machine without a state file.
        cases = [("status", "compose.one"), ("start", "compose.start"), ("stop", "compose.one"),
                 ("stop", "project.all"), ("delete", "compose.delete"), ("init", "project.all")]
        for verb, procedure in cases:
            with self.subTest(verb=verb, procedure=procedure), \
                    self.state_file_hidden(machine, procedure == "project.all" and verb != "init"):
                self.fault(match=procedure, kind="status", status=503, count=-1)
                result, elapsed = self.init() if verb == "init" else self.timed(verb, machine)
                line = self.assert_fails_cleanly(result, 1, stdout_logs=verb == "init")
                self.assertIn(procedure, line)
                self.assertIn("503", line)
                attempts = len(self.requests_to(procedure))
                self.assertGreaterEqual(attempts, 3, "503 must be retried")
                self.assertLessEqual(attempts, 10, "retries of a persistent 503 must be bounded")
                self.assertLess(elapsed, CALL_BOUND)
        self.sim.clear_faults()
        self.assertEqual(self.status(machine), "Stopped\n")  # nothing was changed by the failed calls

    def test_persistent_503_on_deploy_rolls_the_create_back(self):
        machine = "ft-503d-c3d4e"
        self.fault(match="compose.deploy", kind="status", status=503, count=-1)
        result, elapsed = self.timed("create", machine)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("compose.deploy", line)
        self.assertLessEqual(len(self.requests_to("compose.deploy")), 10)
        self.assertEqual(len(self.requests_to("compose.create")), 1)
        self.assertLess(elapsed, CALL_BOUND)
        self.assert_nothing_left(machine)

    def test_429_retry_after_is_honoured(self):
        machine = "ft-429-d4e5f"
        self.fault(match="compose.create", kind="status", status=429, retry_after="2", count=1)
        result, elapsed = self.timed("create", machine)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertGreaterEqual(elapsed, 2.0, "Retry-After: 2 was not waited for")
        self.assertEqual(len(self.requests_to("compose.create")), 2)
        self.assertEqual(len(self.composes_named(machine)), 1)
        for procedure in ("compose.one", "project.all"):  # project.all: without a state file
            with self.subTest(procedure=procedure), self.state_file_hidden(machine, procedure == "project.all"):
                self.fault(match=procedure, kind="status", status=429, retry_after="1", count=2)
                started = time.monotonic()
                self.assertEqual(self.status(machine), "Running\n")
                self.assertGreaterEqual(time.monotonic() - started, 2.0)

    def test_a_huge_retry_after_does_not_hang(self):
        machine = "ft-429h-e5f6a"
        self.fault(match="project.all", kind="status", status=429, retry_after="86400", count=-1)
        result, elapsed = self.timed("status", machine)
        line = self.assert_status_error(result)
        self.assertIn("429", line)
        self.assertLess(elapsed, CALL_BOUND, "a Retry-After of a day must be capped")
        self.assertLessEqual(len(self.requests_to("project.all")), 10)


class TransportFaultTest(FaultCase):
    def test_resets_on_reads_are_retried(self):
        machine = "ft-reset-f6a7b"
        self.created(machine)
        for verb, procedure in (("status", "project.all"), ("status", "compose.one"), ("stop", "project.all"),
                                ("stop", "compose.one"), ("start", "compose.one"),
                                ("init", "settings.getDokployVersion")):
            # project.all: searched for the machine without a state file.
            with self.subTest(verb=verb, procedure=procedure), \
                    self.state_file_hidden(machine, procedure == "project.all"):
                self.fault(match=procedure, kind="reset", count=2)
                result, _ = self.init() if verb == "init" else self.timed(verb, machine)
                self.assertEqual(result.returncode, 0, result.stderr.decode())
                self.assertEqual(self.sim.faults(), [], "both resets should have been hit")
                self.assertGreaterEqual(len(self.requests_to(procedure)), 3)
        self.assertEqual(self.status(machine), "Running\n")
        self.fault(match="compose.one", kind="reset", count=2)
        self.ok("delete", machine)
        self.assertEqual(self.sim.faults(), [])
        self.assertEqual(self.composes_named(machine), [])

    def test_reset_on_a_mutation_fails_cleanly_and_rolls_back(self):
        for procedure in ("compose.update", "compose.deploy"):
            machine = f"ft-mreset-{procedure.split('.')[1]}"
            with self.subTest(procedure=procedure):
                self.fault(match=procedure, kind="reset", count=2)
                result, elapsed = self.timed("create", machine)
                if result.returncode == 0:  # libcurl may have replayed both on fresh connections: still one service
                    self.assertEqual(len(self.composes_named(machine)), 1)
                    continue
                self.assert_fails_cleanly(result, 1)
                self.assertLess(elapsed, CALL_BOUND)
                self.assert_nothing_left(machine)

    def test_a_slow_read_times_out_and_is_retried(self):
        machine = "ft-slow-a7b8c"
        self.created(machine)
        self.fault(match="compose.one", kind="slow", seconds=4, count=1)
        result, elapsed = self.timed("status", machine)
        self.assertEqual(result.stdout, b"Running\n", result.stderr.decode())
        self.assertGreaterEqual(len(self.requests_to("compose.one")), 2)
        self.assertLess(elapsed, 15)

    def test_a_persistently_slow_server_fails_within_a_bound(self):
        # All of status's API work gets 2 x DOKPLOY_TIMEOUT (4 s here): attempts that each time out are not
        # repeated until five of them (10 s and more) have passed while DevPod waits.
        machine = "ft-slowp-b8c9d"
        self.fault(match="project.all", kind="slow", seconds=3, count=-1)
        result, elapsed = self.timed("status", machine)
        line = self.assert_status_error(result)
        self.assertIn("timed out", line)
        self.assertIn(f"127.0.0.1:{self.sim.port}", line)
        self.assertLess(elapsed, 4 + 2.5)  # the budget, plus the process's own start and end
        self.assertLessEqual(len(self.requests_to("project.all")), 3)

    def test_a_slow_mutation_is_not_repeated(self):
        machine = "ft-slowm-c9d0e"
        self.created(machine)
        self.fault(match="compose.stop", kind="slow", seconds=4, count=-1)
        result, elapsed = self.timed("stop", machine)
        self.assert_fails_cleanly(result, 1)
        self.assertLess(elapsed, 15)
        # A timed-out mutation may have been processed: the provider must not send it again.
        self.assertEqual(len(self.requests_to("compose.stop")), 1)
        self.sim.clear_faults()
        self.ok("stop", machine)
        self.assertEqual(self.status(machine), "Stopped\n")


class BadBodyTest(FaultCase):
    def test_truncated_and_non_json_bodies_are_errors_never_not_found(self):
        machine = "ft-body-d0e1f"
        self.created(machine)
        # project.all: searched for the machine without a state file.
        cases = [("status", "compose.one", "truncated"), ("status", "project.all", "nonjson"),
                 ("status", "project.all", "truncated"), ("stop", "project.all", "truncated"),
                 ("stop", "compose.one", "nonjson"), ("delete", "project.all", "nonjson"),
                 ("delete", "compose.one", "truncated"), ("start", "compose.one", "truncated"),
                 ("init", "settings.getDokployVersion", "truncated"), ("init", "project.all", "nonjson")]
        for verb, procedure, kind in cases:
            with self.subTest(verb=verb, procedure=procedure, kind=kind), \
                    self.state_file_hidden(machine, procedure == "project.all" and verb != "init"):
                self.fault(match=procedure, kind=kind, count=-1)
                result, elapsed = self.init() if verb == "init" else self.timed(verb, machine)
                line = self.assert_fails_cleanly(result, 1)
                self.assertIn(procedure, line)
                self.assertLess(elapsed, CALL_BOUND)
                self.assertEqual(len(self.composes_named(machine)), 1, "the machine must still exist")
        self.sim.clear_faults()
        self.assertEqual(self.status(machine), "Running\n")

    def test_unreadable_answers_during_create_roll_it_back(self):
        deploy_error = {"match": "compose.deploy", "kind": "deploy_error", "message": "boom", "count": -1}
        cases = [("compose.update", "nonjson", []), ("compose.update", "truncated", []),
                 ("compose.deploy", "truncated", []), ("compose.deploy", "nonjson", []),
                 ("compose.one", "truncated", []), ("deployment.allByCompose", "nonjson", [deploy_error])]
        for index, (procedure, kind, extra) in enumerate(cases):
            machine = f"ft-unread-{index}"
            with self.subTest(procedure=procedure, kind=kind):
                self.fault(match=procedure, kind=kind, count=-1)
                self.sim.add_faults(extra)
                result, elapsed = self.timed("create", machine)
                line = self.assert_fails_cleanly(result, 1)
                self.assertIn(procedure, line)
                self.assertLess(elapsed, CALL_BOUND)
                self.sim.clear_faults()
                self.assert_nothing_left(machine)
                # A deploy already queued when create gave up must not leave a workspace running.
                for _ in range(50):
                    if not self.sim.state()["orphans"]:
                        break
                    time.sleep(0.1)
                self.assertEqual(self.sim.state()["orphans"], [])

    def test_wrong_shapes_are_errors(self):
        machine = "ft-shape-e1f2a"
        cases = [
            ("create", "compose.create", {"composeId": 5}),
            ("create", "compose.create", {"name": "devpod-x"}),
            ("status", "project.all", {}),
            ("status", "project.all", [{"projectId": 7, "name": "devpod-workspaces"}]),
            ("status", "compose.one", []),
            ("status", "compose.one", {"composeId": "x", "name": 3}),
            ("stop", "compose.one", {"composeId": "x"}),
            ("delete", "project.all", [{"name": "devpod-workspaces"}]),
            ("delete", "compose.one", {"composeId": "x"}),
            ("start", "compose.one", {"composeId": 5, "composeStatus": "done"}),
            ("init", "settings.getDokployVersion", {"version": 1}),
            ("init", "project.all", "projects"),
        ]
        self.created(machine)
        for verb, procedure, body in cases:
            target = "ft-shape-new" if verb == "create" else machine
            # project.all: searched for the machine without a state file.
            with self.subTest(verb=verb, procedure=procedure, body=body), \
                    self.state_file_hidden(machine, procedure == "project.all" and verb not in ("create", "init")):
                self.fault(match=procedure, kind="wrongshape", body=body, count=-1)
                result, elapsed = self.init() if verb == "init" else self.timed(verb, target)
                line = self.assert_fails_cleanly(result, 1)
                self.assertIn(procedure, line)
                self.assertLess(elapsed, CALL_BOUND)
                if verb == "create":
                    self.assert_nothing_left(target)
                self.assertEqual(len(self.composes_named(machine)), 1)

    def test_a_401_midway_is_an_auth_error_and_create_rolls_back(self):
        machine = "ft-401-f2a3b"
        self.fault(match="compose.update", kind="unauthorized", count=1)
        result, _ = self.timed("create", machine)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("DOKPLOY_API_TOKEN", line)
        self.assertIn("compose.update", line)
        self.assert_nothing_left(machine)
        self.sim.clear_faults()
        self.created(machine)
        for verb, procedure in (("status", "compose.one"), ("stop", "compose.stop"), ("start", "compose.start"),
                                ("delete", "compose.delete"), ("init", "project.all")):
            with self.subTest(verb=verb, procedure=procedure):
                self.fault(match=procedure, kind="unauthorized", count=-1)
                result, _ = self.init() if verb == "init" else self.timed(verb, machine)
                line = self.assert_fails_cleanly(result, 1)
                self.assertIn("DOKPLOY_API_TOKEN", line)
                self.assertEqual(len(self.requests_to(procedure)), 1, "a 401 must not be retried")
        self.assertEqual(len(self.composes_named(machine)), 1)

    def test_an_unreadable_compose_create_answer_leaves_nothing_behind(self):
        machine = "ft-trunc-a3b4c"
        self.fault(match="compose.create", kind="truncated", count=1)
        result, _ = self.timed("create", machine)
        self.assert_fails_cleanly(result, 1)
        self.assert_nothing_left(machine)

    def test_a_failure_right_after_compose_create_leaves_nothing_behind(self):
        machine = "ft-after-b4c5d"
        if not any(p["name"] == "devpod-workspaces" for p in self.sim.state()["projects"].values()):
            self.sim.api("project.create", body={"name": "devpod-workspaces"})
        # With the project present, create reads project.all once before compose.create (find the machine and
        # its home) and once right after it (which create won a race): fail that second read.
        self.fault(match="project.all", kind="wrongshape", body={}, count=1, skip=1)
        result, _ = self.timed("create", machine)
        self.assert_fails_cleanly(result, 1)
        self.assertEqual(len(self.requests_to("compose.create")), 1)
        self.sim.clear_faults()
        self.assert_nothing_left(machine)


class DeployFaultTest(FaultCase):
    def break_last_deploy(self, compose_id):
        """Puts the machine into composeStatus 'error' (a failed redeploy made outside the provider)."""
        self.sim.add_fault(match=compose_id, kind="deploy_error", message="injected by the test", count=1)
        self.sim.api("compose.deploy", body={"composeId": compose_id})
        for _ in range(100):
            if self.sim.api("compose.one", {"composeId": compose_id})["composeStatus"] == "error":
                return
            time.sleep(0.1)
        self.fail("the injected deploy error did not show")

    def test_start_redeploys_a_failed_machine_and_reports_a_deploy_error_or_hang(self):
        machine = "ft-start-c5d6e"
        compose_id = self.created(machine)
        self.break_last_deploy(compose_id)
        self.assertEqual(self.status(machine), "Stopped\n")  # README: error -> Stopped, start redeploys

        self.fault(match="compose.deploy", kind="deploy_error", message="image pull failed: manifest unknown",
                   count=1)
        result, elapsed = self.timed("start", machine, DOKPLOY_CREATE_TIMEOUT=CREATE_TIMEOUT)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("image pull failed: manifest unknown", line)
        self.assertLess(elapsed, 25)

        self.fault(match="compose.deploy", kind="deploy_hang", count=1)
        result, elapsed = self.timed("start", machine, DOKPLOY_CREATE_TIMEOUT=CREATE_TIMEOUT)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("DOKPLOY_CREATE_TIMEOUT", line)
        self.assertGreaterEqual(elapsed, 9)
        self.assertLess(elapsed, 10 + 15, "start waited far past DOKPLOY_CREATE_TIMEOUT")
        self.assertEqual(len(self.requests_to("compose.deploy")), 1)

        # The hung deploy is still "running": status says Busy (bounded by the create timeout), then a
        # stop + start brings the machine back.
        self.assertEqual(self.status(machine), "Busy\n")
        self.ok("stop", machine)
        self.ok("start", machine)
        self.assertEqual(self.status(machine), "Running\n")
        self.assertEqual(len(self.composes_named(machine)), 1)

    def test_a_multi_line_deploy_error_is_one_line(self):
        machine = "ft-mline-d6e7f"
        message = ("Error response from daemon: failed to create task\n"
                   "OCI runtime create failed: runc create failed\n\tunable to start container process")
        self.fault(match="compose.deploy", kind="deploy_error", message=message, count=-1)
        result, _ = self.timed("create", machine)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("failed to create task", line)
        self.assert_nothing_left(machine)


class SshFaultTest(FaultCase):
    def test_sshd_that_never_comes_up_fails_create_in_time_and_rolls_back(self):
        for mode in ("closed", "blackhole"):
            machine = f"ft-nossh-{mode}"
            with self.subTest(mode=mode):
                self.fault(match="compose.deploy", kind="no_sshd", mode=mode, count=-1)
                result, elapsed = self.timed("create", machine, DOKPLOY_CREATE_TIMEOUT=CREATE_TIMEOUT)
                line = self.assert_fails_cleanly(result, 1)
                self.assertIn("did not become reachable over SSH", line)
                self.assertIn("DOKPLOY_CREATE_TIMEOUT", line)
                self.assertGreaterEqual(elapsed, 9)
                # The SSH probe may start just before the deadline: allow one probe timeout and one call.
                self.assertLess(elapsed, 10 + 15, "create waited far past DOKPLOY_CREATE_TIMEOUT")
                self.assertEqual(len(self.requests_to("compose.deploy")), 1)
                self.assert_nothing_left(machine)

    def test_a_machine_that_never_answers_is_explained_by_its_container_log(self):
        """A timeout alone says nothing: the container's last words (here: no mirror for openssh-server) and
        the deploy log's end go into the error."""
        machine = "ft-why-1a2b3"
        self.fault(match="compose.deploy", kind="no_sshd", mode="closed", count=-1,
                   log="E: Unable to locate package openssh-server")
        result, _ = self.timed("create", machine, DOKPLOY_CREATE_TIMEOUT=CREATE_TIMEOUT)
        line = self.assert_fails_cleanly(result, 1)
        self.assertIn("did not become reachable over SSH", line)
        self.assertRegex(line, r"the log of container \S+-workspace-1 \(running\) ends: "
                               r"\[dokploy-workspace\] starting sshd \| E: Unable to locate package openssh-server")
        self.assertIn("the deploy log ends: ", line)
        self.assertGreaterEqual(len(self.requests_to("compose.readLogs")), 1)

    def test_status_with_a_black_holed_ssh_port_answers_busy_promptly(self):
        machine = "ft-bhstat-e7f8a"
        compose_id = self.created(machine)
        self.ok("stop", machine)
        # Redeploy outside the provider with an sshd that never greets (a hung container).
        self.sim.add_fault(match=compose_id, kind="no_sshd", mode="blackhole", count=1)
        self.sim.api("compose.deploy", body={"composeId": compose_id})
        for _ in range(100):
            if self.sim.api("compose.one", {"composeId": compose_id})["composeStatus"] == "done":
                break
            time.sleep(0.1)
        started = time.monotonic()
        self.assertEqual(self.status(machine, DOKPLOY_TIMEOUT=TIMEOUT), "Busy\n")
        self.assertLess(time.monotonic() - started, 15, "status hung on a port that never answers")

    def test_a_changed_host_key_fails_start_and_command(self):
        machine = "ft-hostkey-a9b0c"
        self.created(machine)
        # Pin another key, as if something else answered on the machine's port.
        other = os.path.join(self.root, "other_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other], check=True,
                       stdin=subprocess.DEVNULL, timeout=30)
        shutil.copyfile(other + ".pub", os.path.join(self.folder(machine), "ssh_host_ed25519_key.pub"))
        # status only checks that an SSH server greets (no login): the key is checked by every connection
        # that logs in, before anything is sent.
        self.assertEqual(self.status(machine), "Running\n")
        for verb, code in (("start", 1), ("command", 255)):
            with self.subTest(verb=verb):
                result, elapsed = self.timed(verb, machine, COMMAND="echo never")
                self.assertLess(elapsed, CALL_BOUND)
                self.assertIn(b"host key", result.stderr)
                self.assert_fails_cleanly(result, code)

    def test_sshd_killed_mid_command_exits_255_without_hanging(self):
        machine = "ft-cmdkill-f8a9b"
        compose_id = self.created(machine)
        env = self.env(machine, COMMAND="cat")
        env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
        process = subprocess.Popen([os.environ["DOKPLOY_PROVIDER_BIN"], "command"], env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        self.addCleanup(self.stop_process, process)
        echoed = bytearray()
        reader = threading.Thread(target=read_into, args=(process.stdout, echoed), daemon=True)
        reader.start()
        chunk = b"0123456789abcdef" * 64
        process.stdin.write(chunk * 16)
        process.stdin.flush()
        deadline = time.monotonic() + 15
        while len(echoed) < len(chunk) * 16 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(bytes(echoed), chunk * 16, "cat did not echo the data before the kill")
        self.assertTrue(self.sim.kill_sshd(compose_id))
        killed_at = time.monotonic()
        try:
            for _ in range(50):  # keep streaming while the connection dies
                process.stdin.write(chunk)
                process.stdin.flush()
                time.sleep(0.02)
        except (BrokenPipeError, OSError):
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.fail("command hung after its sshd was killed")
        elapsed = time.monotonic() - killed_at
        reader.join(timeout=5)
        stderr = process.stderr.read().decode(errors="replace")
        self.assertEqual(process.returncode, 255, stderr)
        self.assertLess(elapsed, 20)
        errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
        self.assertEqual(len(errors), 1, stderr)
        self.assertEqual(len(stderr.strip().splitlines()), 1, stderr)

    @staticmethod
    def stop_process(process):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for stream in (process.stdin, process.stdout, process.stderr):
            try:
                stream.close()
            except (OSError, ValueError):
                pass


def read_into(stream, buffer: bytearray):
    """Appends what a pipe delivers to `buffer` as it arrives, until the pipe's end."""
    while True:
        try:
            data = stream.read1(65536)
        except (OSError, ValueError):
            return
        if not data:
            return
        buffer.extend(data)


if __name__ == "__main__":
    unittest.main()
