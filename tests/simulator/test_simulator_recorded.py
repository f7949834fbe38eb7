# SPDX-License-Identifier: MIT
"""Self-tests of the simulator behaviour learnt from the real Dokploy v0.30.2: deployment logs
(deployment.readLogs, --no-read-logs, version gating), containers (docker.getContainersByAppNameMatch,
/__sim/exit-container), the API key rate limit (--rate-limit, /__sim/rate-limit) and HTTP-level answers.

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/simulator -p 'test_*.py'
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

from harness import Simulator, free_port_range, http_request, wait_until  # noqa: E402

KEYS: dict[str, str] = {}


def setUpModule():
    directory = tempfile.mkdtemp(prefix="dokploy-sim-rec-keys-")
    try:
        path = os.path.join(directory, "key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t", "-f", path], check=True)
        with open(path, "rb") as f:
            KEYS["host_b64"] = base64.b64encode(f.read()).decode()
        with open(path + ".pub", encoding="utf-8") as f:
            KEYS["pub"] = f.read().strip()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def workspace_file(port: int) -> str:
    return (f"services:\n  workspace:\n    image: x\n    privileged: true\n    ports: ['{port}:22']\n"
            f"    environment:\n      SSH_HOST_KEY: \"{KEYS['host_b64']}\"\n"
            f"      SSH_AUTHORIZED_KEYS: \"{KEYS['pub']}\"\n")


def ssh_banner(port: int) -> bool:
    """True when an SSH server answers on the port (its banner; no login)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.settimeout(3)
            return conn.recv(8).startswith(b"SSH-")
    except OSError:
        return False


class SimCase(unittest.TestCase):
    OPTIONS: dict = {"deploy_seconds": 0.1}

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(**cls.OPTIONS).start()
        cls.addClassCleanup(cls.sim.stop)

    def new_compose(self, compose_file: str | None = None) -> dict:
        created = self.sim.api("project.create", body={"name": "p"})
        environment_id = created["environment"]["environmentId"]
        compose = self.sim.api("compose.create", body={"name": "ws", "environmentId": environment_id})
        update = {"composeId": compose["composeId"], "sourceType": "raw"}
        if compose_file is not None:
            update["composeFile"] = compose_file
        return self.sim.api("compose.update", body=update)

    def deploy(self, compose_id: str) -> dict:
        """Deploys and waits; returns the deployment."""
        self.sim.api("compose.deploy", body={"composeId": compose_id})
        wait_until(lambda: self.sim.api("compose.one", {"composeId": compose_id})["composeStatus"]
                   in ("done", "error"), timeout=15, what="the deploy to finish")
        return self.sim.api("deployment.allByCompose", {"composeId": compose_id})[0]

    def containers(self, app: str, app_type: str | None = "docker-compose") -> list[dict]:
        query = {"appName": app} | ({"appType": app_type} if app_type else {})
        return self.sim.api("docker.getContainersByAppNameMatch", query)


class ReadLogsTest(SimCase):
    def test_logs_of_a_failed_and_a_successful_deploy(self):
        compose = self.new_compose("services:\n  a:\n    image: x\n    privileged: true\n")
        compose_id, app = compose["composeId"], compose["appName"]
        done = self.deploy(compose_id)
        log = self.sim.api("deployment.readLogs", {"deploymentId": done["deploymentId"]})
        self.assertTrue(log.startswith("Initializing deployment\nFile 'docker-compose.yml' created: ✅\n╔"))
        self.assertTrue(log.endswith(f"\n Container {app}-a-1  Started\nDocker Compose Deployed: ✅\n"))
        self.assertEqual(self.sim.api("deployment.readLogs", {"deploymentId": done["deploymentId"], "tail": 2}),
                         f" Container {app}-a-1  Started\nDocker Compose Deployed: ✅\n")

        self.sim.add_fault(match=compose_id, kind="deploy_error", message="Error response from daemon: boom\nline 2")
        failed = self.deploy(compose_id)
        self.assertEqual((failed["status"], failed["errorMessage"]), ("error", None))
        self.assertTrue(failed["logPath"].startswith(f"/etc/dokploy/logs/{app}/{app}-"))
        self.assertEqual(self.sim.deployment_log(compose_id, tail=5),
                         "Error response from daemon: boom\nline 2\nError: ❌ Docker command failed\n\n"
                         "Error occurred ❌, check the logs for details.\n")

    def test_bad_input_and_unknown_ids(self):
        for tail, code in (("0", "too_small"), ("10001", "too_big"), ("abc", "invalid_type"), ("1.5", "invalid_type")):
            with self.subTest(tail=tail):
                status, body = self.sim.call("deployment.readLogs", {"deploymentId": "x", "tail": tail})
                self.assertEqual((status, body["issues"][0]["code"]), (400, code))
        status, body = self.sim.call("deployment.readLogs", {"deploymentId": "nope"})
        self.assertEqual((status, body["message"]), (404, "Deployment not found"))
        self.assertEqual(self.sim.call("deployment.readLogs", body={"deploymentId": "x"})[0], 404)  # a query


class NoReadLogsTest(unittest.TestCase):
    def test_option_and_versions_before_v0_29_5(self):
        for options, exists in (({"read_logs": False}, False), ({"version": "v0.29.4"}, False),
                                ({"version": "v0.29.5"}, True), ({"legacy": True}, False)):
            with self.subTest(**options), Simulator(**options) as sim:
                status, body = sim.call("deployment.readLogs", {"deploymentId": "x"})
                self.assertEqual(status, 404)
                self.assertEqual(body["message"] == "Deployment not found", exists)
                self.assertEqual(sim.state()["readLogs"], exists)


class LegacyErrorsTest(SimCase):
    OPTIONS = {"legacy": True, "deploy_seconds": 0.1}

    def test_legacy_keeps_the_error_text_and_the_old_error_body(self):
        project = self.sim.api("project.create", body={"name": "old"})
        compose = self.sim.api("compose.create", body={"name": "ws", "projectId": project["projectId"]})
        self.sim.add_fault(match=compose["composeId"], kind="deploy_error", message="pull access denied")
        self.sim.api("compose.deploy", body={"composeId": compose["composeId"]})
        wait_until(lambda: self.sim.api("deployment.allByCompose", {"composeId": compose["composeId"]})[0]
                   ["status"] == "error", what="the failed deploy")
        failed = self.sim.api("deployment.allByCompose", {"composeId": compose["composeId"]})[0]
        self.assertEqual(failed["errorMessage"], "pull access denied")
        status, body = self.sim.call("project.create", body={})
        self.assertEqual((status, sorted(body)), (400, ["code", "issues", "message"]))
        self.assertEqual(body["issues"][0]["message"], "Required")  # zod 3


class ContainersTest(SimCase):
    def test_running_stopped_exited_restarted_deleted(self):
        port = free_port_range(1)[0]
        compose = self.new_compose(workspace_file(port))
        compose_id, app = compose["composeId"], compose["appName"]
        self.assertEqual(self.containers(app), [])
        self.assertEqual(self.deploy(compose_id)["status"], "done")
        [running] = self.containers(app)
        self.assertEqual((running["name"], running["state"]), (f"{app}-workspace-1", "running"))
        self.assertRegex(running["containerId"], r"^[0-9a-f]{12}$")
        self.assertRegex(running["status"], r"^Up (Less than a second|\d+ seconds?)$")
        self.assertEqual(self.containers(app, None), [running])  # no appType: a name match
        self.assertEqual(self.containers(app[:-3], None), [running])
        self.assertEqual(self.containers(app[:-3]), [])  # docker-compose: the exact project
        self.assertEqual(self.containers(app, "stack"), [])

        self.assertIs(self.sim.api("compose.stop", body={"composeId": compose_id}), True)
        [stopped] = self.containers(app)
        self.assertEqual((stopped["containerId"], stopped["state"]), (running["containerId"], "exited"))
        self.assertRegex(stopped["status"], r"^Exited \(0\) (Less than a second|\d+ seconds?) ago$")
        self.assertIs(self.sim.api("compose.start", body={"composeId": compose_id}), True)
        self.assertEqual(self.containers(app)[0]["state"], "running")
        self.assertTrue(ssh_banner(port))

        # The container's main process ends by itself: composeStatus stays "done", compose.start revives it.
        status, _, raw = http_request(f"{self.sim.url}/__sim/exit-container", "POST",
                                      json.dumps({"composeId": compose_id}).encode())
        self.assertEqual((status, json.loads(raw)), (200, {"exited": ["workspace"]}))
        self.assertFalse(ssh_banner(port))
        self.assertEqual(self.containers(app)[0]["state"], "exited")
        self.assertEqual(self.sim.api("compose.one", {"composeId": compose_id})["composeStatus"], "done")
        status, _, _ = http_request(f"{self.sim.url}/__sim/exit-container", "POST",
                                    json.dumps({"composeId": compose_id}).encode())
        self.assertEqual(status, 404)
        self.assertIs(self.sim.api("compose.start", body={"composeId": compose_id}), True)
        self.assertTrue(ssh_banner(port))
        self.assertEqual(self.containers(app)[0]["state"], "running")

        self.sim.kill_sshd(compose_id)  # sshd crashed inside a container that keeps running
        self.assertEqual(self.containers(app)[0]["state"], "running")
        self.sim.api("compose.delete", body={"composeId": compose_id, "deleteVolumes": True})
        self.assertEqual(self.containers(app), [])

    def test_a_failed_up_leaves_a_created_container_and_bad_input(self):
        with socket.socket() as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen()
            port = blocker.getsockname()[1]
            compose = self.new_compose(workspace_file(port))
            self.assertEqual(self.deploy(compose["composeId"])["status"], "error")
        [created] = self.containers(compose["appName"])
        self.assertEqual((created["state"], created["status"]), ("created", "Created"))
        status, body = self.sim.call("docker.getContainersByAppNameMatch", {"appName": "a b"})
        self.assertEqual((status, body["issues"][0]["message"]), (400, "Invalid app name."))
        status, body = self.sim.call("docker.getContainersByAppNameMatch", {"appName": "a", "serverId": "nope"})
        self.assertEqual((status, body["message"]), (404, "Server not found"))


class RateLimitTest(SimCase):
    OPTIONS = {"rate_limit": 3}

    def test_the_key_is_refused_after_n_requests_until_reset(self):
        http_request(f"{self.sim.url}/__sim/rate-limit/reset", "POST", b"{}")
        self.assertEqual(self.sim.call("health", token="")[0], 200)  # public: not counted
        self.assertEqual(self.sim.call("project.all", token="wrong")[0], 401)  # a wrong key: not counted
        self.assertEqual([self.sim.call("settings.getDokployVersion")[0] for _ in range(5)],
                         [200, 200, 200, 401, 401])
        self.assertEqual(self.sim.call("project.all"), (401, {"message": "Unauthorized"}))
        self.assertEqual(self.sim.state()["rateLimit"], {"limit": 3, "used": 6})
        self.assertEqual(self.sim.reset_rate_limit(limit=1), {"limit": 1, "used": 0})
        self.assertEqual([self.sim.call("project.all")[0] for _ in range(2)], [200, 401])
        status, _, _ = http_request(f"{self.sim.url}/__sim/rate-limit/reset", "POST", b'{"limit": -1}')
        self.assertEqual(status, 400)
        self.sim.reset_rate_limit(limit=None)
        self.assertEqual([self.sim.call("project.all")[0] for _ in range(4)], [200] * 4)


class HttpAnswersTest(SimCase):
    def test_empty_body_invalid_json_and_content_types(self):
        status, headers, raw = http_request(f"{self.sim.url}/api/compose.update", "POST", b'{"composeId": "x"}',
                                            {"x-api-key": self.sim.token, "Content-Type": "application/json"})
        self.assertEqual((status, raw), (200, b""))
        status, headers, raw = http_request(f"{self.sim.url}/api/project.create", "POST", b"{bad",
                                            {"x-api-key": self.sim.token, "Content-Type": "application/json"})
        self.assertEqual((status, raw, headers.get("Content-Type")), (400, b"Invalid JSON", None))
        connection = http.client.HTTPConnection("127.0.0.1", self.sim.port, timeout=10)
        try:  # urllib would add a form content type
            connection.request("POST", "/api/project.create", b"{}", {"x-api-key": self.sim.token})
            response = connection.getresponse()
            status, raw = response.status, response.read()
        finally:
            connection.close()
        self.assertEqual((status, json.loads(raw)["message"]), (415, "Missing content-type header"))
        status, _, raw = http_request(f"{self.sim.url}/api/project.create", "POST", b'{"name": "p"}',
                                      {"x-api-key": self.sim.token,
                                       "Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
