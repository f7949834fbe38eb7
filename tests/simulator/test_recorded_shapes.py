# SPDX-License-Identifier: MIT
"""The simulator answers in the shapes recorded from the real Dokploy v0.30.2 (tests/data/dokploy/).

Replays the recording's scenario (tests/data/dokploy/record.py, listed in recordings.json) against the
simulator and compares every answer with its recorded fixture: the same HTTP status and the same shape,
recursively (objects: the same keys; arrays: the first items' shapes; scalars: the same JSON type, where
the recording has null any value is accepted; an empty recorded body must stay empty).

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/simulator -p 'test_*.py'
"""

from __future__ import annotations

import json
import os
import socket
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data", "dokploy"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

import sim_shapes  # noqa: E402
from sim_validation import json_type_name  # noqa: E402
from harness import Simulator, free_port_range, http_request, wait_until  # noqa: E402

DOCKER_ERROR = ("Error response from daemon: driver failed programming external connectivity on endpoint "
                "x-workspace-1: Bind for 0.0.0.0:42250 failed: port is already allocated")


def fixture(name: str) -> bytes:
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def recorded_index() -> dict:
    return json.loads(fixture("recordings.json"))["fixtures"]


def shape_differences(recorded, actual, where: str = "$") -> list[str]:
    """Where `actual` does not have the shape of `recorded` (empty when it does)."""
    if recorded is None:
        return []  # a recorded null: the member is nullable, any value fits
    if isinstance(recorded, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {json_type_name(actual)}"]
        differences = []
        missing, extra = recorded.keys() - actual.keys(), actual.keys() - recorded.keys()
        if missing:
            differences.append(f"{where}: missing keys {sorted(missing)}")
        if extra:
            differences.append(f"{where}: unexpected keys {sorted(extra)}")
        for key in recorded.keys() & actual.keys():
            differences += shape_differences(recorded[key], actual[key], f"{where}.{key}")
        return differences
    if isinstance(recorded, list):
        if not isinstance(actual, list):
            return [f"{where}: expected an array, got {json_type_name(actual)}"]
        if recorded and not actual:
            return [f"{where}: expected items like the recording's, got an empty array"]
        if recorded and actual:
            return shape_differences(recorded[0], actual[0], f"{where}[0]")
        return []
    if json_type_name(recorded) != json_type_name(actual):
        return [f"{where}: expected {json_type_name(recorded)}, got {json_type_name(actual)}"]
    return []


class ShapeComparisonTest(unittest.TestCase):
    """shape_differences itself: it must catch what the simulator could drift into."""

    def test_an_extra_key_in_a_nested_array_item_is_caught(self):
        recorded = json.loads(fixture("current_project.all.json"))
        drifted = json.loads(json.dumps(recorded))
        drifted[0]["environments"][0]["compose"][0]["appName"] = "compose-x-abcdef"
        self.assertEqual(shape_differences(recorded, drifted),
                         ["$[0].environments[0].compose[0]: unexpected keys ['appName']"])

    def test_types_nulls_and_missing_keys(self):
        self.assertEqual(shape_differences({"a": 1, "b": None, "c": "x"}, {"a": 2, "b": "y", "c": "z"}), [])
        self.assertEqual(shape_differences({"a": True}, {"a": 1}), ["$.a: expected boolean, got number"])
        self.assertEqual(shape_differences({"a": "x"}, {"a": None}), ["$.a: expected string, got null"])
        self.assertEqual(shape_differences({"a": 1, "b": 2}, {"a": 1}), ["$: missing keys ['b']"])
        self.assertEqual(shape_differences([{"a": 1}], []), ["$: expected items like the recording's, "
                                                              "got an empty array"])


class DeployLogFormatTest(unittest.TestCase):
    """The simulator's deployment log is the recorded one, byte for byte, for the same appName."""

    def test_failed_and_successful_logs(self):
        for name, tail in (("current_deployment.readLogs.json", None), ("current_deployment.readLogs_done.json",
                                                                        ["workspace"])):
            with self.subTest(name):
                log = json.loads(fixture(name))
                app = log.split("App Name: ", 1)[1].split()[0]
                head = sim_shapes.deploy_log_head({"appName": app, "sourceType": "raw",
                                                   "composeType": "docker-compose"})
                error = None if tail else log.splitlines()[len(head)]
                lines = head + sim_shapes.deploy_log_tail(error, tail or [], app)
                self.assertEqual("".join(line + "\n" for line in lines), log)


class RecordedShapesTest(unittest.TestCase):
    """Every recorded procedure, replayed against the simulator."""

    answers: dict[str, tuple[int, bytes]] = {}

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(deploy_seconds=0.1, servers=[("srv-rec", "rec-server", "192.0.2.10")]).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.limited = Simulator(extra_args=["--rate-limit", "5"]).start()
        cls.addClassCleanup(cls.limited.stop)
        cls.answers = {}
        cls._replay()

    @classmethod
    def _record(cls, name: str, method: str, procedure: str, query=None, body=None,
                token: str | None = None, content_type: str = "application/json", sim=None):
        sim = sim or cls.sim
        url = f"{sim.url}/api/{procedure}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        headers = {"x-api-key": sim.token if token is None else token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        status, _, raw = http_request(url, method, data, headers)
        cls.answers[name] = (status, raw)
        return json.loads(raw) if raw.strip() else None

    @classmethod
    def _replay(cls):
        """The scenario of record.py, step by step."""
        rec, sim = cls._record, cls.sim
        rec("current_settings.getDokployVersion.json", "GET", "settings.getDokployVersion")
        rec("error_401_unauthorized.json", "GET", "project.all", token="wrong")
        rec("error_415_content_type.json", "POST", "project.create", body={"name": "x"}, content_type="text/plain")
        rec("error_404_route.json", "GET", "compose.deploy", {"composeId": "x"})
        rec("error_404_unknown_procedure.json", "GET", "compose.noSuchProcedure")
        rec("error_404_compose.json", "GET", "compose.one", {"composeId": "missing"})
        rec("error_404_compose_deploy.json", "POST", "compose.deploy", body={"composeId": "missing"})
        rec("current_compose.update_missing.json", "POST", "compose.update",
            body={"composeId": "missing", "description": "x"})
        rec("current_environment.byProjectId_unknown.json", "GET", "environment.byProjectId", {"projectId": "missing"})
        rec("error_400_environment_create.json", "POST", "environment.create", body={"name": "x", "projectId": "no"})
        rec("error_400_validation.json", "POST", "compose.create", body={"name": "", "composeType": "docker-compose"})
        rec("error_400_validation_enum.json", "POST", "compose.update", body={"composeId": "x", "sourceType": "svn"})
        rec("error_404_deployment.json", "GET", "deployment.readLogs", {"deploymentId": "missing", "tail": 10})
        rec("error_404_server.json", "GET", "server.one", {"serverId": "missing"})

        created = rec("current_project.create.json", "POST", "project.create",
                      body={"name": "rec-project", "description": "recorded by record.py"})
        project_id = created["project"]["projectId"]
        environment_id = created["environment"]["environmentId"]
        rec("current_environment.create.json", "POST", "environment.create",
            body={"name": "rec-env", "projectId": project_id, "description": ""})
        compose = rec("current_compose.create.json", "POST", "compose.create",
                      body={"name": "rec-ws", "description": "DevPod workspace (recorded)",
                            "environmentId": environment_id, "composeType": "docker-compose"})
        compose_id, app = compose["composeId"], compose["appName"]
        rec("current_environment.byProjectId.json", "GET", "environment.byProjectId", {"projectId": project_id})
        rec("error_500_compose_start_before_deploy.json", "POST", "compose.start", body={"composeId": compose_id})
        rec("error_500_compose_stop_before_deploy.json", "POST", "compose.stop", body={"composeId": compose_id})
        port = free_port_range(1)[0]
        compose_file = f"services:\n  workspace:\n    image: x\n    privileged: true\n    ports: ['{port}:80']\n"
        rec("current_compose.update.json", "POST", "compose.update",
            body={"composeId": compose_id, "sourceType": "raw", "composeFile": compose_file,
                  "env": f"WORKSPACE_PORT={port}"})
        rec("current_compose.deploy.json", "POST", "compose.deploy", body={"composeId": compose_id, "title": "ok"})
        cls._wait_finished(compose_id)
        rec("current_compose.one.json", "GET", "compose.one", {"composeId": compose_id})
        done = rec("current_deployment.allByCompose.json", "GET", "deployment.allByCompose",
                   {"composeId": compose_id})
        rec("current_deployment.readLogs_done.json", "GET", "deployment.readLogs",
            {"deploymentId": done[0]["deploymentId"], "tail": 100})
        rec("current_docker.getContainersByAppNameMatch.json", "GET", "docker.getContainersByAppNameMatch",
            {"appName": app, "appType": "docker-compose"})
        rec("current_compose.readLogs.json", "GET", "compose.readLogs",
            {"composeId": compose_id, "containerId": "0123456789ab", "tail": 20})
        rec("current_project.all.json", "GET", "project.all")
        rec("current_compose.stop.json", "POST", "compose.stop", body={"composeId": compose_id})
        with socket.socket() as blocker:  # `docker compose up` of compose.start finds its port taken
            blocker.bind(("127.0.0.1", port))
            blocker.listen()
            rec("error_500_compose_start.json", "POST", "compose.start", body={"composeId": compose_id})
        rec("current_compose.start.json", "POST", "compose.start", body={"composeId": compose_id})

        sim.add_fault(match=compose_id, kind="deploy_error", message=DOCKER_ERROR)
        sim.api("compose.deploy", body={"composeId": compose_id, "title": "fail"})
        cls._wait_finished(compose_id)
        failed = rec("current_deployment.allByCompose_error.json", "GET", "deployment.allByCompose",
                     {"composeId": compose_id})
        rec("current_deployment.readLogs.json", "GET", "deployment.readLogs",
            {"deploymentId": failed[0]["deploymentId"], "tail": 100})
        rec("current_compose.one_error.json", "GET", "compose.one", {"composeId": compose_id})
        rec("current_server.all.json", "GET", "server.all")
        rec("current_server.one.json", "GET", "server.one", {"serverId": "srv-rec"})
        rec("current_compose.delete.json", "POST", "compose.delete", body={"composeId": compose_id,
                                                                           "deleteVolumes": True})
        rec("current_project.remove.json", "POST", "project.remove", body={"projectId": project_id})
        for _ in range(5):
            cls._record("error_401_rate_limited.json", "GET", "settings.getDokployVersion", sim=cls.limited)
        cls._record("error_401_rate_limited.json", "GET", "settings.getDokployVersion", sim=cls.limited)

    @classmethod
    def _wait_finished(cls, compose_id: str) -> None:
        wait_until(lambda: cls.sim.api("compose.one", {"composeId": compose_id})["composeStatus"]
                   in ("done", "error"), timeout=15, what="the deploy to finish")

    def test_every_recording_is_replayed(self):
        self.assertEqual(sorted(recorded_index()), sorted(self.answers))

    def test_statuses_and_shapes_match_the_recordings(self):
        for name, entry in sorted(recorded_index().items()):
            with self.subTest(name):
                status, raw = self.answers[name]
                self.assertEqual(status, entry["status"], raw[:300])
                recorded = fixture(name)
                if not recorded.strip():
                    self.assertEqual(raw, b"", "the recorded answer is an empty body")
                    continue
                self.assertEqual(shape_differences(json.loads(recorded), json.loads(raw)), [], raw[:600])

    def test_recorded_values_that_matter(self):
        """Beyond shapes: the values the provider relies on, as the real server sends them."""
        def answer(name):
            return json.loads(self.answers[name][1])
        failed = answer("current_deployment.allByCompose_error.json")[0]
        self.assertEqual((failed["status"], failed["errorMessage"]), ("error", None))
        self.assertIn(DOCKER_ERROR, answer("current_deployment.readLogs.json"))
        self.assertEqual(answer("error_401_rate_limited.json"), json.loads(fixture("error_401_rate_limited.json")))
        self.assertEqual(answer("error_401_unauthorized.json"), {"message": "Unauthorized"})
        self.assertEqual(answer("current_compose.deploy.json")["message"], "Deployment queued")
        self.assertIs(answer("current_compose.stop.json"), True)
        self.assertEqual(answer("current_environment.byProjectId_unknown.json"), [])
        for name in ("error_404_compose.json", "error_404_route.json", "error_500_compose_start_before_deploy.json",
                     "error_415_content_type.json", "error_400_validation.json"):
            with self.subTest(name):
                recorded = json.loads(fixture(name))
                self.assertEqual((answer(name)["message"], answer(name)["code"]),
                                 (recorded["message"], recorded["code"]))


if __name__ == "__main__":
    unittest.main()
