# SPDX-License-Identifier: MIT
"""The command line itself: help, version, usage errors and exit codes."""
import re
import unittest

from harness import run_provider

SUBCOMMANDS = ["init", "create", "delete", "start", "stop", "status", "command", "version"]


class CliTest(unittest.TestCase):
    def test_help_lists_every_subcommand(self):
        result = run_provider(["--help"], {})
        self.assertEqual(result.returncode, 0)
        for name in SUBCOMMANDS:
            self.assertRegex(result.stdout.decode(), rf"\n  {name} ")

    def test_each_subcommand_has_help(self):
        for name in SUBCOMMANDS:
            with self.subTest(name=name):
                result = run_provider([name, "--help"], {})
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn(name.encode(), result.stdout)

    def test_version_names_the_libraries(self):
        result = run_provider(["version"], {})
        self.assertEqual(result.returncode, 0)
        text = result.stdout.decode()
        self.assertRegex(text, r"^dokploy-provider \d+\.\d+\.\d+\S* \(commit ([0-9a-f]+|unknown)\)")
        self.assertRegex(text, r"\nlibcurl \d+\.\d+")
        self.assertRegex(text, r"\nlibssh \d+\.\d+")

    def test_usage_errors_exit_2_with_one_line_and_no_usage_dump(self):
        for args in ([], ["frobnicate"], ["init", "--bogus"]):
            with self.subTest(args=args):
                result = run_provider(args, {})
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, b"")
                lines = result.stderr.decode().strip().splitlines()
                self.assertEqual(len(lines), 1, lines)
                self.assertIsNone(re.search("Usage:", lines[0]))

    def test_machine_subcommands_name_the_missing_variable(self):
        env = {"DOKPLOY_SERVER_URL": "http://127.0.0.1:9", "DOKPLOY_API_TOKEN": "tok-1234567890"}
        for name in ["create", "delete", "start", "stop", "status"]:
            with self.subTest(name=name):
                result = run_provider([name], env)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(b"MACHINE_ID is not set", result.stderr)
                self.assertEqual(result.stdout, b"")


if __name__ == "__main__":
    unittest.main()
