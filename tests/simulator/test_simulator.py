# SPDX-License-Identifier: MIT
"""Self-tests of the Dokploy simulator (and of tests/integration/harness.py).

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/simulator -p 'test_*.py'
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

from compose_file import ComposeError, PortBinding, parse_compose, parse_port  # noqa: E402
from harness import (Simulator, free_port_range, http_request, provider_env,  # noqa: E402
                     run_provider, unreachable_url, wait_until)

KEYS: dict[str, str] = {}
KEY_DIR = ""


def setUpModule():
    """One host key and one client key (ed25519) for every sshd test."""
    global KEY_DIR
    KEY_DIR = tempfile.mkdtemp(prefix="dokploy-sim-keys-")
    for name in ("host", "client"):
        path = os.path.join(KEY_DIR, name)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path],
                       check=True)
        with open(path, "rb") as f:
            KEYS[f"{name}_b64"] = base64.b64encode(f.read()).decode()
        with open(path + ".pub", encoding="utf-8") as f:
            KEYS[f"{name}_pub"] = f.read().strip()


def tearDownModule():
    shutil.rmtree(KEY_DIR, ignore_errors=True)


def workspace_yaml(port: int, privileged: bool = True, host_key: str | None = None) -> str:
    """A DinD-like workspace compose file publishing SSH on 127.0.0.1:port."""
    return "\n".join([
        "services:",
        "  workspace:",
        "    image: cruizba/ubuntu-dind:latest",
        f"    privileged: {'true' if privileged else 'false'}",
        "    ports:",
        f'      - "127.0.0.1:{port}:22"',
        "    environment:",
        f"      SSH_HOST_KEY: \"{host_key or KEYS['host_b64']}\"",
        f"      SSH_AUTHORIZED_KEYS: \"{KEYS['client_pub']}\"",
        "    volumes:",
        "      - workspace-data:/workspace",
        "volumes:",
        "  workspace-data: {}",
        "",
    ])


def ssh_command(port: int, *remote: str) -> list[str]:
    """An ssh client command that pins the simulator's host key."""
    known_hosts = os.path.join(KEY_DIR, f"known_hosts_{port}")
    with open(known_hosts, "w", encoding="utf-8") as f:
        key_type, key_data = KEYS["host_pub"].split()[:2]
        f.write(f"[127.0.0.1]:{port} {key_type} {key_data}\n")
    return ["ssh", "-F", "/dev/null", "-i", os.path.join(KEY_DIR, "client"),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={known_hosts}", "-o", "ConnectTimeout=5",
            "-o", "LogLevel=ERROR", "-p", str(port), "root@127.0.0.1", *remote]


def ssh_works(port: int) -> bool:
    result = subprocess.run(ssh_command(port, "true"), stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=20)
    return result.returncode == 0


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def pid_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


class SimTestCase(unittest.TestCase):
    """Starts one simulator per class (SIM_OPTIONS) and offers workspace helpers."""

    SIM_OPTIONS: dict = {}

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(**cls.SIM_OPTIONS).start()
        cls.addClassCleanup(cls.sim.stop)

    def new_compose(self, name: str = "ws", compose_file: str | None = None) -> str:
        """Create a project and a compose (raw source, optional file); returns composeId."""
        sim = self.sim
        if sim.state()["legacy"]:
            project = sim.api("project.create", body={"name": f"p-{name}"})
            compose = sim.api("compose.create", body={"name": name,
                                                      "projectId": project["projectId"]})
        else:
            created = sim.api("project.create", body={"name": f"p-{name}"})
            compose = sim.api("compose.create", body={
                "name": name, "environmentId": created["environment"]["environmentId"]})
        update = {"composeId": compose["composeId"], "sourceType": "raw"}
        if compose_file is not None:
            update["composeFile"] = compose_file
        sim.api("compose.update", body=update)
        return compose["composeId"]

    def compose(self, compose_id: str) -> dict:
        return self.sim.api("compose.one", {"composeId": compose_id})

    def wait_status(self, compose_id: str, *statuses: str) -> dict:
        return wait_until(lambda: (c := self.compose(compose_id))["composeStatus"] in statuses
                          and c, timeout=15, what=f"composeStatus in {statuses}")

    def deploy_and_wait(self, compose_id: str) -> dict:
        self.sim.api("compose.deploy", body={"composeId": compose_id})
        return self.wait_status(compose_id, "done", "error")

    def latest_deployment(self, compose_id: str) -> dict:
        return self.sim.api("deployment.allByCompose", {"composeId": compose_id})[0]

    def deploy_error(self, compose_id: str) -> str:
        """Docker's text of the latest (failed) deployment: only in its log, errorMessage stays null."""
        deployment = self.latest_deployment(compose_id)
        self.assertEqual((deployment["status"], deployment["errorMessage"]), ("error", None))
        return self.sim.api("deployment.readLogs", {"deploymentId": deployment["deploymentId"]})


class AuthAndRoutingTest(SimTestCase):
    SIM_OPTIONS = {"token": "s3cret-token-value"}

    def test_missing_and_wrong_key_are_401(self):
        status, _, raw = http_request(f"{self.sim.url}/api/project.all")
        self.assertEqual((status, json.loads(raw)), (401, {"message": "Unauthorized"}))
        for token in ("", "wrong", self.sim.token + "x"):
            status, body = self.sim.call("project.all", token=token)
            self.assertEqual((status, body), (401, {"message": "Unauthorized"}))

    def test_auth_is_checked_before_routing(self):
        status, _ = self.sim.call("no.such", token="wrong")
        self.assertEqual(status, 401)

    def test_health_is_public(self):
        self.assertEqual(self.sim.call("health", token="")[0], 200)
        self.assertEqual(self.sim.call("health", token="")[1], {"ok": True})
        self.assertEqual(self.sim.call("settings.health", token="")[0], 200)

    def test_unknown_route_and_wrong_method_are_404(self):
        status, body = self.sim.call("project.nothing")
        self.assertEqual(status, 404)
        self.assertEqual(body["code"], "NOT_FOUND")
        self.assertEqual(body["message"], "Not found")
        self.assertNotIn("path", body["data"])  # as recorded: the route error names no procedure
        self.assertEqual(self.sim.call("project.create")[0], 404)
        self.assertEqual(self.sim.call("project.all", body={})[0], 404)

    def test_post_without_json_content_type_is_415(self):
        status, _, raw = http_request(f"{self.sim.url}/api/project.create", "POST",
                                      b'{"name": "x"}', {"x-api-key": self.sim.token})
        self.assertEqual(status, 415)
        self.assertEqual(json.loads(raw)["code"], "UNSUPPORTED_MEDIA_TYPE")

    def test_validation_errors_are_400_with_issues(self):
        status, body = self.sim.call("project.create", body={"description": "no name"})
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "BAD_REQUEST")
        self.assertEqual(body["issues"][0]["path"], ["name"])
        status, body = self.sim.call("compose.one", {"composeId": ""})
        self.assertEqual(status, 400)
        status, body = self.sim.call("compose.delete", body={"composeId": "x", "deleteVolumes": "yes"})
        self.assertEqual((status, body["message"]), (404, "Compose not found"))  # deleteVolumes is not checked
        status, body = self.sim.call("compose.update", body={"composeId": "x", "sourceType": "svn"})
        self.assertEqual((status, body["issues"][0]["code"]), (400, "invalid_value"))
        self.assertEqual(body["data"]["zodError"]["fieldErrors"], {"sourceType": [body["issues"][0]["message"]]})

    def test_not_found_ids(self):
        status, body = self.sim.call("compose.one", {"composeId": "missing"})
        self.assertEqual((status, body["code"]), (404, "NOT_FOUND"))
        self.assertEqual(self.sim.call("project.one", {"projectId": "missing"})[0], 404)

    def test_version_and_user(self):
        self.assertEqual(self.sim.api("settings.getDokployVersion"), "v0.30.2")
        self.assertIn("email", self.sim.api("user.get")["user"])

    def test_api_key_never_logged(self):
        self.sim.api("project.all")
        self.sim.call("project.all", token="wrong-key-attempt")
        logged = json.dumps(self.sim.requests())
        self.assertNotIn(self.sim.token, logged)
        self.assertNotIn("wrong-key-attempt", logged)
        self.assertNotIn(self.sim.token, self.sim.log_text())

    def test_request_log(self):
        self.sim.clear_requests()
        self.sim.call("project.one", {"projectId": "abc"})
        self.sim.call("project.create", body={"name": "logged"})
        entries = self.sim.requests()
        self.assertEqual([(e["method"], e["path"], e["status"]) for e in entries],
                         [("GET", "/api/project.one", 404), ("POST", "/api/project.create", 200)])
        self.assertEqual(entries[0]["query"], {"projectId": "abc"})
        self.assertEqual(entries[1]["body"], {"name": "logged"})


class CurrentLayoutTest(SimTestCase):
    SIM_OPTIONS = {"servers": [("srv-1", "remote one", "127.0.0.1")]}

    def test_project_create_returns_project_and_production_environment(self):
        first = self.sim.api("project.create", body={"name": "same"})
        second = self.sim.api("project.create", body={"name": "same"})
        self.assertEqual(first["environment"]["name"], "production")
        self.assertEqual(first["environment"]["projectId"], first["project"]["projectId"])
        self.assertNotEqual(first["project"]["projectId"], second["project"]["projectId"])
        stamps = [first["project"]["createdAt"], first["environment"]["createdAt"],
                  second["project"]["createdAt"]]
        self.assertEqual(stamps, sorted(set(stamps)))
        self.assertRegex(stamps[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_compose_create_and_project_all_nesting(self):
        created = self.sim.api("project.create", body={"name": "nest"})
        env_id = created["environment"]["environmentId"]
        compose = self.sim.api("compose.create", body={"name": "My WS", "environmentId": env_id})
        self.assertRegex(compose["appName"], r"^compose-[a-z0-9-]+-[a-z0-9]{6}$")  # the name is not used
        self.assertEqual((compose["composeStatus"], compose["sourceType"], compose["composeFile"],
                          compose["env"], compose["serverId"]), ("idle", "github", "", None, None))
        project = next(p for p in self.sim.api("project.all")
                       if p["projectId"] == created["project"]["projectId"])
        self.assertNotIn("compose", project)
        nested = project["environments"][0]["compose"]
        self.assertEqual([c["composeId"] for c in nested], [compose["composeId"]])
        one = self.sim.api("project.one", {"projectId": created["project"]["projectId"]})
        self.assertEqual(one["environments"][0]["compose"][0]["name"], "My WS")
        named = self.sim.api("compose.create", body={"name": "n", "environmentId": env_id, "appName": "My-App"})
        self.assertRegex(named["appName"], r"^my-app-[a-z0-9]{6}$")  # an appName asked for is kept

    def test_compose_create_needs_environment_id(self):
        created = self.sim.api("project.create", body={"name": "noenv"})
        status, body = self.sim.call("compose.create", body={
            "name": "x", "projectId": created["project"]["projectId"]})
        self.assertEqual(status, 400)
        self.assertEqual(body["issues"][0]["path"], ["environmentId"])
        status, _ = self.sim.call("compose.create", body={"name": "x", "environmentId": "nope"})
        self.assertEqual(status, 404)

    def test_compose_update_merges_fields(self):
        compose_id = self.new_compose("upd")
        updated = self.sim.api("compose.update", body={
            "composeId": compose_id, "composeFile": "services: {}", "env": "A=1",
            "unknownField": "dropped"})
        self.assertEqual((updated["composeFile"], updated["env"], updated["sourceType"]),
                         ("services: {}", "A=1", "raw"))
        self.assertNotIn("unknownField", self.compose(compose_id))

    def test_environments(self):
        created = self.sim.api("project.create", body={"name": "envs"})
        project_id = created["project"]["projectId"]
        staging = self.sim.api("environment.create", body={"name": "staging",
                                                           "projectId": project_id})
        self.assertEqual(staging["projectId"], project_id)
        names = [e["name"] for e in self.sim.api("environment.byProjectId",
                                                 {"projectId": project_id})]
        self.assertEqual(names, ["production", "staging"])

    def test_servers(self):
        servers = self.sim.api("server.all")
        self.assertEqual([(s["serverId"], s["name"], s["ipAddress"]) for s in servers],
                         [("srv-1", "remote one", "127.0.0.1")])
        self.assertEqual(self.sim.api("server.one", {"serverId": "srv-1"})["ipAddress"],
                         "127.0.0.1")
        self.assertEqual(self.sim.call("server.one", {"serverId": "nope"})[0], 404)
        created = self.sim.api("project.create", body={"name": "srv"})
        env_id = created["environment"]["environmentId"]
        compose = self.sim.api("compose.create", body={"name": "r", "environmentId": env_id,
                                                       "serverId": "srv-1"})
        self.assertEqual(compose["serverId"], "srv-1")
        self.assertEqual(self.sim.call("compose.create", body={
            "name": "r", "environmentId": env_id, "serverId": "nope"})[0], 401)  # not an accessible server

    def test_project_remove(self):
        created = self.sim.api("project.create", body={"name": "gone"})
        project_id = created["project"]["projectId"]
        self.sim.api("project.remove", body={"projectId": project_id})
        self.assertNotIn(project_id, [p["projectId"] for p in self.sim.api("project.all")])
        self.assertEqual(self.sim.call("project.remove", body={"projectId": project_id})[0], 404)

    def test_start_and_stop_before_first_deploy_are_500(self):
        compose_id = self.new_compose("never")
        status, body = self.sim.call("compose.start", body={"composeId": compose_id})
        self.assertEqual((status, body["message"]), (500, "Command execution failed: spawn /bin/sh ENOENT"))
        self.assertEqual(self.compose(compose_id)["composeStatus"], "idle")
        status, body = self.sim.call("compose.stop", body={"composeId": compose_id})
        self.assertEqual((status, body["code"]), (500, "INTERNAL_SERVER_ERROR"))
        self.assertEqual(self.compose(compose_id)["composeStatus"], "error")


class LegacyLayoutTest(SimTestCase):
    SIM_OPTIONS = {"legacy": True, "deploy_seconds": 0.1}

    def test_version(self):
        self.assertEqual(self.sim.api("settings.getDokployVersion"), "v0.22.7")

    def test_project_and_compose_without_environments(self):
        project = self.sim.api("project.create", body={"name": "old"})
        self.assertIn("projectId", project)
        self.assertNotIn("environment", project)
        compose = self.sim.api("compose.create", body={"name": "ws",
                                                       "projectId": project["projectId"]})
        self.assertEqual(compose["projectId"], project["projectId"])
        listed = next(p for p in self.sim.api("project.all")
                      if p["projectId"] == project["projectId"])
        self.assertNotIn("environments", listed)
        self.assertEqual([c["composeId"] for c in listed["compose"]], [compose["composeId"]])

    def test_environment_routes_do_not_exist(self):
        project = self.sim.api("project.create", body={"name": "old2"})
        status, body = self.sim.call("environment.byProjectId",
                                     {"projectId": project["projectId"]})
        self.assertEqual((status, body["code"]), (404, "NOT_FOUND"))
        status, body = self.sim.call("compose.create", body={"name": "x", "environmentId": "e"})
        self.assertEqual(status, 400)

    def test_deploy_answers_true(self):
        compose_id = self.new_compose("legacy-deploy")
        self.assertIs(self.sim.api("compose.deploy", body={"composeId": compose_id}), True)
        self.wait_status(compose_id, "done", "error")


class DeployTest(SimTestCase):
    SIM_OPTIONS = {"deploy_seconds": 0.3}

    def test_workspace_lifecycle_with_real_sshd(self):
        port = free_port_range(1)[0]
        compose_id = self.new_compose("life", workspace_yaml(port))
        self.assertEqual(self.compose(compose_id)["composeStatus"], "idle")

        answer = self.sim.api("compose.deploy", body={"composeId": compose_id, "title": "t1"})
        self.assertEqual(answer, {"success": True, "message": "Deployment queued",
                                  "composeId": compose_id})
        self.assertEqual(self.compose(compose_id)["composeStatus"], "running")
        running = self.latest_deployment(compose_id)
        self.assertEqual((running["title"], running["status"], running["finishedAt"]),
                         ("t1", "running", None))
        self.assertEqual(self.wait_status(compose_id, "done", "error")["composeStatus"], "done")
        self.assertEqual(self.latest_deployment(compose_id)["status"], "done")
        self.assertTrue(ssh_works(port))

        entry = self.sim.state()["composes"][compose_id]
        self.assertEqual([(s["port"], s["alive"]) for s in entry["sshd"]], [(port, True)])
        service = entry["parsed"]["services"]["workspace"]
        self.assertTrue(service["privileged"])
        self.assertEqual(service["ports"][0]["containerPort"], 22)
        self.assertIn("workspace-data", entry["parsed"]["volumes"])

        session = subprocess.Popen(ssh_command(port, "sleep", "60"), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: len(self._session_pids(entry["sshd"][0]["pid"])) > 0,
                       what="ssh session")
            self.assertIs(self.sim.api("compose.stop", body={"composeId": compose_id}), True)
            session.wait(10)  # the container stopped: its sessions end too
        finally:
            if session.poll() is None:
                session.kill()
                session.wait()
        self.assertEqual(self.compose(compose_id)["composeStatus"], "idle")
        self.assertFalse(port_open(port))
        self.assertFalse(pid_running(entry["sshd"][0]["pid"]))

        self.assertIs(self.sim.api("compose.start", body={"composeId": compose_id}), True)
        self.assertEqual(self.compose(compose_id)["composeStatus"], "done")
        self.assertTrue(ssh_works(port))

        self.sim.api("compose.redeploy", body={"composeId": compose_id})
        self.assertEqual(self.wait_status(compose_id, "done", "error")["composeStatus"], "done")
        history = self.sim.api("deployment.allByCompose", {"composeId": compose_id})
        self.assertEqual([d["title"] for d in history], ["Rebuild deployment", "t1"])
        self.assertTrue(ssh_works(port))

        deleted = self.sim.api("compose.delete", body={"composeId": compose_id,
                                                       "deleteVolumes": True})
        self.assertEqual(deleted["composeId"], compose_id)
        self.assertFalse(port_open(port))
        state = self.sim.state()
        self.assertNotIn(compose_id, state["composes"])
        self.assertTrue(next(d for d in state["deletedComposes"]
                             if d["composeId"] == compose_id)["deleteVolumes"])
        self.assertEqual(self.sim.call("compose.one", {"composeId": compose_id})[0], 404)

    @staticmethod
    def _session_pids(sshd_pid: int) -> list[int]:
        result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(sshd_pid)],
                                capture_output=True, text=True)
        return [int(p) for p in result.stdout.split()]

    def test_port_already_allocated(self):
        with socket.socket() as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen()
            port = blocker.getsockname()[1]
            compose_id = self.new_compose("busy", workspace_yaml(port))
            self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "error")
        self.assertIn(f"Bind for 127.0.0.1:{port} failed: port is already allocated",
                      self.deploy_error(compose_id))

    def test_port_taken_by_another_workspace(self):
        port = free_port_range(1)[0]
        first = self.new_compose("first", workspace_yaml(port))
        second = self.new_compose("second", workspace_yaml(port))
        self.assertEqual(self.deploy_and_wait(first)["composeStatus"], "done")
        self.assertEqual(self.deploy_and_wait(second)["composeStatus"], "error")
        self.assertIn("port is already allocated", self.deploy_error(second))
        self.assertTrue(ssh_works(port))
        self.sim.api("compose.delete", body={"composeId": first, "deleteVolumes": False})

    def test_refused_compose_files(self):
        port = free_port_range(1)[0]
        cases = {
            "invalid yaml": ("services: [unclosed", "yaml: line"),
            "no services": ("services: {}\n", "no service selected"),
            "no image": ("services:\n  ws:\n    privileged: true\n", "neither an image"),
            "not privileged": (workspace_yaml(port, privileged=False), "privileged"),
            "bad host key": (workspace_yaml(port, host_key=base64.b64encode(b"junk").decode()),
                             "no hostkeys available"),
        }
        ids = {name: self.new_compose(name.replace(" ", "-"), text)
               for name, (text, _) in cases.items()}
        stack = self.new_compose("stack", workspace_yaml(port))
        self.sim.api("compose.update", body={"composeId": stack, "composeType": "stack"})
        cases["stack"], ids["stack"] = (None, "Swarm"), stack
        github = self.new_compose("github", workspace_yaml(port))
        self.sim.api("compose.update", body={"composeId": github, "sourceType": "github"})
        cases["github source"], ids["github source"] = (None, "sourceType"), github
        for compose_id in ids.values():
            self.sim.api("compose.deploy", body={"composeId": compose_id})
        for name, compose_id in ids.items():
            with self.subTest(name):
                self.assertEqual(self.wait_status(compose_id, "done", "error")["composeStatus"],
                                 "error")
                self.assertIn(cases[name][1], self.deploy_error(compose_id))
        self.assertFalse(port_open(port))

    def test_kill_sshd_keeps_status(self):
        port = free_port_range(1)[0]
        compose_id = self.new_compose("crash", workspace_yaml(port))
        self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "done")
        pid = self.sim.state()["composes"][compose_id]["sshd"][0]["pid"]
        self.assertEqual(self.sim.kill_sshd(compose_id), [pid])
        self.assertFalse(port_open(port))
        self.assertEqual(self.compose(compose_id)["composeStatus"], "done")
        self.assertFalse(self.sim.state()["composes"][compose_id]["sshd"][0]["alive"])
        status, _, _ = http_request(f"{self.sim.url}/__sim/kill-sshd", "POST",
                                    json.dumps({"composeId": compose_id}).encode())
        self.assertEqual(status, 404)
        self.sim.api("compose.start", body={"composeId": compose_id})
        self.assertTrue(ssh_works(port))
        self.sim.api("compose.delete", body={"composeId": compose_id, "deleteVolumes": False})

    def test_project_remove_leaves_workspace_running(self):
        port = free_port_range(1)[0]
        created = self.sim.api("project.create", body={"name": "orphan"})
        compose = self.sim.api("compose.create", body={
            "name": "orphan", "environmentId": created["environment"]["environmentId"]})
        compose_id = compose["composeId"]
        self.sim.api("compose.update", body={"composeId": compose_id, "sourceType": "raw",
                                             "composeFile": workspace_yaml(port)})
        self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "done")
        self.sim.api("project.remove", body={"projectId": created["project"]["projectId"]})
        state = self.sim.state()
        self.assertNotIn(compose_id, state["composes"])
        self.assertIn(compose_id, [o["composeId"] for o in state["orphans"]])
        self.assertTrue(port_open(port))

    def test_env_interpolation_and_env_file(self):
        port = free_port_range(1)[0]
        text = workspace_yaml(port).replace(f'"{KEYS["client_pub"]}"', '"${AUTH_KEYS}"')
        text = text.replace("    privileged: true\n", "    privileged: true\n    env_file: .env\n")
        compose_id = self.new_compose("interp", text)
        self.sim.api("compose.update", body={"composeId": compose_id,
                                             "env": f"AUTH_KEYS={KEYS['client_pub']}\nEXTRA=1"})
        self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "done")
        env = self.sim.state()["composes"][compose_id]["parsed"]["services"]["workspace"]
        self.assertEqual(env["environment"]["SSH_AUTHORIZED_KEYS"], KEYS["client_pub"])
        self.assertEqual(env["environment"]["EXTRA"], "1")
        self.assertTrue(ssh_works(port))
        self.sim.api("compose.delete", body={"composeId": compose_id, "deleteVolumes": False})


class ComposeFileTest(unittest.TestCase):
    """Parser details that need no simulator."""

    def test_port_syntaxes(self):
        self.assertEqual(parse_port("2222:22"), PortBinding("", 2222, 22))
        self.assertEqual(parse_port("127.0.0.1:2222:22/tcp"), PortBinding("127.0.0.1", 2222, 22))
        self.assertEqual(parse_port("127.0.0.1::22"), PortBinding("127.0.0.1", None, 22))
        self.assertEqual(parse_port(22), PortBinding("", None, 22))
        self.assertEqual(parse_port({"target": 22, "published": "2200", "host_ip": "127.0.0.1"}),
                         PortBinding("127.0.0.1", 2200, 22))
        for bad in ("2000-2001:22", "abc", "1:99999", True):
            with self.assertRaises(ComposeError):
                parse_port(bad)

    def test_environment_list_and_defaults(self):
        spec = parse_compose("services:\n  a:\n    image: x\n    environment:\n"
                             "      - A=1\n      - B=${MISSING:-dflt}\n      - C\n", "C=from-env")
        self.assertEqual(spec.services[0].environment, {"A": "1", "B": "dflt", "C": "from-env"})
        with self.assertRaises(ComposeError):
            parse_compose("services:\n  a:\n    image: ${REQUIRED:?must be set}\n")


class FaultTest(SimTestCase):
    SIM_OPTIONS = {"deploy_seconds": 0.1}

    def setUp(self):
        self.sim.clear_faults()

    def test_status_fault_with_retry_after(self):
        self.sim.add_fault(match="project.all", kind="status", status=503, retry_after="1")
        status, headers, raw = http_request(f"{self.sim.url}/api/project.all",
                                            headers={"x-api-key": self.sim.token})
        self.assertEqual((status, headers.get("Retry-After")), (503, "1"))
        self.assertEqual(json.loads(raw)["code"], "SERVICE_UNAVAILABLE")
        self.assertEqual(self.sim.call("project.all")[0], 200)

    def test_reset(self):
        self.sim.add_fault(match="project.all", kind="reset")
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=5) as conn:
            conn.sendall(b"GET /api/project.all HTTP/1.1\r\nHost: sim\r\n\r\n")
            with self.assertRaises(ConnectionResetError):
                conn.recv(1024)
        last = self.sim.requests()[-1]
        self.assertEqual((last["status"], last["fault"]), (None, "reset"))
        self.assertEqual(self.sim.call("project.all")[0], 200)

    def test_slow(self):
        self.sim.add_fault(match="settings.", kind="slow", seconds=0.5)
        started = time.monotonic()
        self.assertEqual(self.sim.call("settings.getDokployVersion"), (200, "v0.30.2"))
        self.assertGreaterEqual(time.monotonic() - started, 0.5)

    def test_truncated(self):
        self.sim.api("project.create", body={"name": "for-truncation"})
        self.sim.add_fault(match="project.all", kind="truncated")
        status, headers, raw = http_request(f"{self.sim.url}/api/project.all",
                                            headers={"x-api-key": self.sim.token})
        self.assertEqual((status, int(headers["Content-Length"])), (200, len(raw)))
        with self.assertRaises(ValueError):
            json.loads(raw)

    def test_nonjson(self):
        self.sim.add_fault(match="*", kind="nonjson")
        status, headers, raw = http_request(f"{self.sim.url}/api/user.get",
                                            headers={"x-api-key": self.sim.token})
        self.assertEqual((status, headers["Content-Type"], raw),
                         (200, "text/html", b"<html>Bad Gateway</html>"))

    def test_wrongshape_and_unauthorized(self):
        self.sim.add_faults([
            {"match": "project.all", "kind": "wrongshape"},
            {"match": "project.all", "kind": "wrongshape", "body": [1, 2]},
            {"match": "project.all", "kind": "unauthorized"},
        ])
        self.assertEqual(self.sim.call("project.all"), (200, {"unexpected": True}))
        self.assertEqual(self.sim.call("project.all"), (200, [1, 2]))
        self.assertEqual(self.sim.call("project.all"), (401, {"message": "Unauthorized"}))
        self.assertEqual(self.sim.call("project.all")[0], 200)

    def test_match_count_and_clear(self):
        self.sim.add_fault(match="compose.", kind="status", status=500, count=2)
        self.assertEqual(self.sim.call("project.all")[0], 200)
        self.assertEqual(self.sim.call("compose.one", {"composeId": "x"})[0], 500)
        self.assertEqual(self.sim.faults()[0]["count"], 1)
        self.assertEqual(self.sim.call("compose.one", {"composeId": "x"})[0], 500)
        self.assertEqual(self.sim.faults(), [])
        self.sim.add_fault(match="*", kind="status", status=502, count=-1)
        for _ in range(3):
            self.assertEqual(self.sim.call("user.get")[0], 502)
        self.sim.clear_faults()
        self.assertEqual(self.sim.call("user.get")[0], 200)
        self.sim.add_fault(match="*", kind="unauthorized", count=-1)
        http_request(f"{self.sim.url}/__sim/faults/clear", "POST")
        self.assertEqual(self.sim.faults(), [])

    def test_skip_lets_the_first_matches_through(self):
        self.sim.add_fault(match="project.all", kind="status", status=500, count=1, skip=2)
        self.assertEqual([self.sim.call("project.all")[0] for _ in range(4)], [200, 200, 500, 200])
        self.assertEqual(self.sim.faults(), [])
        status, _, _ = http_request(f"{self.sim.url}/__sim/faults", "POST",
                                    json.dumps({"kind": "reset", "skip": -1}).encode())
        self.assertEqual(status, 400)

    def test_no_sshd_deploy_is_done_without_ssh(self):
        port = free_port_range(1)[0]
        compose_file = (f'services:\n  w:\n    image: x\n    privileged: true\n'
                        f'    ports: ["{port}:22"]\n    environment:\n      SSH_HOST_KEY: ""\n')
        compose_id = self.new_compose("nossh", compose_file)
        self.sim.add_fault(match=compose_id, kind="no_sshd")
        self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "done")
        self.assertEqual(self.sim.state()["composes"][compose_id]["sshd"], [])
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        self.sim.add_fault(match=compose_id, kind="no_sshd", mode="blackhole")
        self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "done")
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.settimeout(0.5)
            with self.assertRaises(socket.timeout):
                conn.recv(64)  # connected, but no SSH banner
        self.sim.api("compose.stop", body={"composeId": compose_id})
        status, _, _ = http_request(f"{self.sim.url}/__sim/faults", "POST",
                                    json.dumps({"kind": "no_sshd", "mode": "odd"}).encode())
        self.assertEqual(status, 400)

    def test_invalid_fault_rule_is_400(self):
        status, _, _ = http_request(f"{self.sim.url}/__sim/faults", "POST",
                                    json.dumps({"kind": "explode"}).encode())
        self.assertEqual(status, 400)

    def test_deploy_error_and_hang(self):
        compose_id = self.new_compose("faulty", "services: {}\n")
        self.sim.add_fault(match=compose_id, kind="deploy_error", message="boom from test")
        self.assertEqual(self.deploy_and_wait(compose_id)["composeStatus"], "error")
        log = self.deploy_error(compose_id)
        self.assertIn("\nboom from test\nError: ❌ Docker command failed\n", log)
        self.sim.add_fault(match="compose.deploy", kind="deploy_hang")
        self.sim.api("compose.deploy", body={"composeId": compose_id})
        time.sleep(0.6)
        self.assertEqual(self.compose(compose_id)["composeStatus"], "running")
        self.assertEqual(self.latest_deployment(compose_id)["status"], "running")


class ShutdownTest(unittest.TestCase):
    def test_sigterm_stops_every_sshd(self):
        port = free_port_range(1)[0]
        with Simulator(deploy_seconds=0.1) as sim:
            created = sim.api("project.create", body={"name": "bye"})
            compose = sim.api("compose.create", body={
                "name": "bye", "environmentId": created["environment"]["environmentId"]})
            sim.api("compose.update", body={"composeId": compose["composeId"], "sourceType": "raw",
                                            "composeFile": workspace_yaml(port)})
            sim.api("compose.deploy", body={"composeId": compose["composeId"]})
            entry = wait_until(lambda: (s := sim.state()["composes"][compose["composeId"]])["sshd"]
                               and s, what="sshd start")
            sshd_pid = entry["sshd"][0]["pid"]
            self.assertTrue(pid_running(sshd_pid))
            os.kill(sim.pid, signal.SIGTERM)
            self.assertEqual(sim.process.wait(10), 0)
            self.assertIn("listening on http://127.0.0.1:", sim.log_text())
        self.assertFalse(pid_running(sshd_pid))
        self.assertFalse(port_open(port))


class HarnessTest(unittest.TestCase):
    """tests/integration/harness.py helpers that need no simulator."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dokploy-harness-test-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def fake_provider(self, script: str) -> str:
        path = os.path.join(self.dir, "provider")
        with open(path, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n" + script)
        os.chmod(path, 0o755)
        return path

    def test_run_provider_uses_a_clean_environment_and_stdin(self):
        binary = self.fake_provider('env; echo "args=$*"; cat; exit 3\n')
        with mock.patch.dict(os.environ, {"DOKPLOY_PROVIDER_BIN": binary, "LEAK_ME": "1"}):
            result = run_provider(["status", "--x"], {"MACHINE_ID": "m1", "HOME": None},
                                  stdin=b"from-stdin")
        self.assertEqual(result.returncode, 3)
        self.assertIn(b"MACHINE_ID=m1\n", result.stdout)
        self.assertIn(b"args=status --x\n", result.stdout)
        self.assertTrue(result.stdout.endswith(b"from-stdin"))
        self.assertNotIn(b"LEAK_ME", result.stdout)
        self.assertNotIn(b"HOME=", result.stdout)

    def test_run_provider_timeout_fails_and_kills(self):
        pid_file = os.path.join(self.dir, "child.pid")
        binary = self.fake_provider(f"sleep 30 & echo $! > {pid_file}; wait\n")
        with mock.patch.dict(os.environ, {"DOKPLOY_PROVIDER_BIN": binary}):
            with self.assertRaisesRegex(AssertionError, "timed out after 0.5 s"):
                run_provider("create", {}, timeout=0.5)
        with open(pid_file, encoding="utf-8") as f:
            child = int(f.read())
        wait_until(lambda: not pid_running(child), timeout=5, what="provider child killed")

    def test_run_provider_skips_without_binary(self):
        with mock.patch.dict(os.environ, {"DOKPLOY_PROVIDER_BIN": ""}):
            with self.assertRaises(unittest.SkipTest):
                run_provider("init", {})

    def test_ports_urls_and_env(self):
        first, last = free_port_range(5)
        self.assertEqual(last - first, 4)
        self.assertTrue(20000 <= first and last <= 60000)
        port = int(unreachable_url().rsplit(":", 1)[1])
        self.assertFalse(port_open(port))
        sim = mock.Mock(url="http://127.0.0.1:1", token="t")
        self.assertEqual(provider_env(sim, "m", "/f", DOKPLOY_SSH_PORT_RANGE="1-2"), {
            "DOKPLOY_SERVER_URL": "http://127.0.0.1:1", "DOKPLOY_API_TOKEN": "t",
            "MACHINE_ID": "m", "MACHINE_FOLDER": "/f", "DOKPLOY_SSH_PORT_RANGE": "1-2"})


if __name__ == "__main__":
    unittest.main()
