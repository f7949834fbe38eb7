# SPDX-License-Identifier: MIT
"""`init` against the Dokploy simulator: read-only checks, clear errors, exit codes, no secrets."""
import tempfile
import time
import unittest

import yaml

from harness import Simulator, provider_env, run_provider, unreachable_url

TOKEN = "init-test-token-5f1c9e7a"


class InitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator(token=TOKEN, servers=[("srv-1", "builder", "127.0.0.1")]).start()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.clear_faults()
        self.sim.clear_requests()

    def init(self, timeout=60, **extra):
        return run_provider(["init"], provider_env(self.sim, **extra), timeout=timeout)

    def assert_no_token(self, result):
        for stream in (result.stdout, result.stderr):
            self.assertNotIn(TOKEN.encode(), stream)

    def test_good_token_succeeds_with_a_summary_on_stdout(self):
        # DevPod logs init's stderr at error level: a success must leave stderr empty.
        result = self.init()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        stdout = result.stdout.decode()
        self.assertIn("v0.30.2", stdout)
        self.assertIn("project 'devpod-workspaces' / environment 'production'", stdout)
        self.assertEqual(len(stdout.strip().splitlines()), 1, stdout)
        self.assertTrue(stdout.startswith("info: "), stdout)
        # init is read-only and proves the token with an authenticated call, not the public health check.
        requests = self.sim.requests()
        self.assertTrue(all(r["method"] == "GET" for r in requests), requests)
        self.assertIn("/api/settings.getDokployVersion", [r["path"] for r in requests])
        self.assertFalse(self.sim.state()["projects"])

    def test_wrong_token_is_rejected_by_name(self):
        result = run_provider(["init"], provider_env(self.sim, DOKPLOY_API_TOKEN="wrong-token-value"))
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"DOKPLOY_API_TOKEN was rejected", result.stderr)
        self.assertIn(b"rate limited", result.stderr)
        self.assertNotIn(b"wrong-token-value", result.stderr)
        self.assertEqual(result.stdout, b"")

    def test_unreachable_server_fails_fast_and_clearly(self):
        start = time.monotonic()
        result = run_provider(["init"], {"DOKPLOY_SERVER_URL": unreachable_url(), "DOKPLOY_API_TOKEN": TOKEN,
                                         "DOKPLOY_TIMEOUT": "5s"})
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"127.0.0.1", result.stderr)
        self.assertLess(time.monotonic() - start, 45)
        self.assert_no_token(result)

    def test_bad_options_exit_2_before_any_request(self):
        cases = {
            "DOKPLOY_SERVER_URL": "not a url",
            "DOKPLOY_SSH_PORT_RANGE": "3000-2000",
            "DOKPLOY_TIMEOUT": "soon",
            "DOKPLOY_MACHINE_MEMORY": "lots",
        }
        for variable, value in cases.items():
            with self.subTest(variable=variable):
                result = self.init(**{variable: value})
                self.assertEqual(result.returncode, 2, result.stderr)
                lines = result.stderr.decode().strip().splitlines()
                self.assertEqual(len(lines), 1, lines)
                self.assertIn(variable, lines[0])
                self.assertNotIn("Usage", lines[0])
        self.assertEqual(self.sim.requests(), [])

    def test_credentials_in_the_url_are_refused_and_not_echoed(self):
        url = self.sim.url.replace("http://", "http://admin:hunter2secret@")
        result = self.init(DOKPLOY_SERVER_URL=url)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"DOKPLOY_SERVER_URL", result.stderr)
        self.assertNotIn(b"hunter2secret", result.stderr)
        self.assertEqual(self.sim.requests(), [])

    def test_missing_or_empty_token_is_a_usage_error(self):
        for value in (None, ""):
            with self.subTest(value=value):
                result = self.init(DOKPLOY_API_TOKEN=value)
                self.assertEqual(result.returncode, 2)
                self.assertIn(b"DOKPLOY_API_TOKEN is not set", result.stderr)

    def test_plain_http_to_another_host_warns_once(self):
        """The warning comes before any request (here the name never resolves: .invalid); loopback gets none."""
        url = "http://dokploy-provider-test.invalid:3000"
        result = self.init(DOKPLOY_SERVER_URL=url, DOKPLOY_TIMEOUT="2s")
        self.assertEqual(result.returncode, 1)
        warnings = [line for line in result.stdout.decode().splitlines() if "plain http://" in line]
        self.assertEqual(len(warnings), 1, result.stdout)
        self.assertTrue(warnings[0].startswith("warning: DOKPLOY_SERVER_URL is plain http:// to "
                                               "dokploy-provider-test.invalid"), warnings[0])
        self.assertIn("use https://", warnings[0])
        with tempfile.TemporaryDirectory() as folder:
            create = run_provider(["create"], provider_env(self.sim, "warn-1a2b3", folder, DOKPLOY_SERVER_URL=url,
                                                           DOKPLOY_TIMEOUT="2s"))
        self.assertEqual(create.returncode, 1)
        self.assertEqual(create.stderr.decode().count("plain http://"), 1, create.stderr)
        self.assertNotIn(b"plain http", self.init().stdout)  # 127.0.0.1

    def test_trailing_slash_and_explicit_port_work(self):
        result = self.init(DOKPLOY_SERVER_URL=self.sim.url + "/")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_transient_503s_and_resets_are_retried(self):
        self.sim.add_faults([
            {"match": "settings.getDokployVersion", "kind": "status", "status": 503, "count": 2},
            {"match": "project.all", "kind": "reset", "count": 2},
            {"match": "project.all", "kind": "status", "status": 429, "retry_after": "1", "count": 1},
        ])
        result = self.init()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.sim.faults(), [])
        self.assertIn(b"retrying", result.stdout)  # a warning, not an error: stdout for init
        self.assertEqual(result.stderr, b"")

    def test_persistent_503_fails_with_the_endpoint_named(self):
        self.sim.add_fault(match="settings.getDokployVersion", kind="status", status=503, count=-1)
        result = self.init(DOKPLOY_TIMEOUT="2s")
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"settings.getDokployVersion", result.stderr)
        self.assertIn(b"503", result.stderr)

    def test_non_json_answer_is_a_clear_error(self):
        self.sim.add_fault(match="settings.getDokployVersion", kind="nonjson", count=-1)
        result = self.init()
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"settings.getDokployVersion", result.stderr)

    def test_server_id_must_exist(self):
        good = self.init(DOKPLOY_SERVER_ID="srv-1")
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertIn(b"builder", good.stdout)
        # Exit 2 promises that nothing was sent; an id only Dokploy can refuse is a plain failure (1).
        bad = self.init(DOKPLOY_SERVER_ID="srv-404")
        self.assertEqual(bad.returncode, 1)
        self.assertIn(b"DOKPLOY_SERVER_ID", bad.stderr)
        self.assertEqual(len(bad.stderr.strip().splitlines()), 1, bad.stderr)

    def test_verbose_and_devpod_debug_never_show_the_token(self):
        for args, extra in ((["--verbose", "init"], {}), (["init"], {"DEVPOD_DEBUG": "true"}),
                            (["init"], {"DEVSY_DEBUG": "true"})):
            with self.subTest(args=args, extra=extra):
                result = run_provider(args, provider_env(self.sim, **extra))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stderr, b"")
                self.assertIn(b"x-api-key", result.stdout.lower())  # the header is traced ...
                self.assert_no_token(result)                          # ... but never its value
                self.assertNotIn(b"PRIVATE KEY", result.stdout)


class InitVersionsTest(unittest.TestCase):
    def test_legacy_layout_is_detected(self):
        with Simulator(token=TOKEN, legacy=True) as sim:
            result = run_provider(["init"], provider_env(sim))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"v0.22.7", result.stdout)
        self.assertIn(b"legacy", result.stdout)

    def test_too_old_dokploy_is_refused(self):
        with Simulator(token=TOKEN, legacy=True, version="v0.21.3") as sim:
            result = run_provider(["init"], provider_env(sim))
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"v0.21.3", result.stderr)


class OptionsCommandTest(unittest.TestCase):
    """`options`, the manifest's subOptionsCommand: choices from Dokploy, and never a failure (DevPod would
    abort `provider add`)."""

    def options(self, env):
        result = run_provider(["options"], env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return yaml.safe_load(result.stdout)["options"], result

    def test_the_servers_are_choices_and_projects_and_environments_suggestions(self):
        with Simulator(token=TOKEN, servers=[("srv-1", "builder", "192.0.2.10")]) as sim:
            sim.api("project.create", body={"name": "team-alpha"})
            options, result = self.options(provider_env(sim))
        self.assertEqual(result.stderr, b"")
        self.assertEqual(options["DOKPLOY_SERVER_ID"]["enum"], [
            {"value": "", "displayName": "the Dokploy host"},
            {"value": "srv-1", "displayName": "builder (192.0.2.10)"}])
        self.assertEqual(options["DOKPLOY_PROJECT_NAME"]["suggestions"], ["devpod-workspaces", "team-alpha"])
        self.assertEqual(options["DOKPLOY_PROJECT_NAME"]["default"], "devpod-workspaces")
        self.assertEqual(options["DOKPLOY_ENVIRONMENT_NAME"]["suggestions"], ["production"])

    def test_without_dokploy_the_options_come_without_choices(self):
        for env in ({"DOKPLOY_SERVER_URL": unreachable_url(), "DOKPLOY_API_TOKEN": TOKEN, "DOKPLOY_TIMEOUT": "1s"},
                    {"DOKPLOY_API_TOKEN": TOKEN}):
            with self.subTest(env=sorted(env)):
                options, result = self.options(env)
                self.assertEqual(set(options), {"DOKPLOY_SERVER_ID", "DOKPLOY_PROJECT_NAME", "DOKPLOY_ENVIRONMENT_NAME"})
                self.assertNotIn("enum", options["DOKPLOY_SERVER_ID"])
                self.assertNotIn("suggestions", options["DOKPLOY_PROJECT_NAME"])
                self.assertIn(b"warning: no choices from Dokploy", result.stderr)
                self.assertNotIn(TOKEN.encode(), result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
