# SPDX-License-Identifier: MIT
"""The manifest's validationPatterns accept exactly the forms the binary accepts: one table of values runs
through both. DevPod checks a pattern when an option is set (`provider add`, `set-options`), the binary when it
runs (`init` first of all, which DevPod runs right after).

Each value is expected to be
- "ok": the pattern and the binary accept it;
- "bad": both refuse it;
- "range": the form is right, so the pattern accepts it, but a relation or a bound that a regular expression
  cannot express is wrong (LOW above HIGH, a duration outside the option's limits, a too long value), so the
  binary refuses it, at `init`, with the reason.
The patterns use only what Go's RE2 (DevPod) and Python's `re` read alike; the DevPod lane checks a few with
the real DevPod.
"""
import os
import re
import subprocess
import tempfile
import unittest

import yaml

from harness import run_provider

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "patterns-token-1a2b3c4d"

TABLE = {
    "DOKPLOY_SERVER_URL": [
        ("http://203.0.113.7.invalid:9", "ok"), ("https://dokploy.invalid", "ok"), ("HTTPS://Dokploy.Invalid/", "ok"),
        ("http://dokploy.invalid:9/dokploy/", "ok"), ("http://[::1]:9", "ok"), ("http://dokploy.invalid:00009", "ok"),
        ("http://my_host.invalid:9", "ok"), ("http://dokploy.invalid./a/b~c", "ok"),
        ("ftp://127.0.0.1", "bad"), ("127.0.0.1:3000", "bad"), ("http://", "bad"), ("http://:3000", "bad"),
        ("http://user:pw@127.0.0.1", "bad"), ("http://127.0.0.1/?a=b", "bad"), ("http://127.0.0.1/#x", "bad"),
        ("http://127.0.0.1:0", "bad"), ("http://127.0.0.1:65536", "bad"), ("http://127.0.0.1:", "bad"),
        ("http://-bad.invalid", "bad"), ("http://bad-.invalid", "bad"), ("http://a..b", "bad"),
        ("http://[1.2.3.4]", "bad"), ("http://[::1", "bad"), ("http://::1", "bad"), ("http://a b", "bad"),
        ("http://127.0.0.1//x", "bad"), ("http://127.0.0.1/a b", "bad"),
        ("http://" + "a" * 64 + ".invalid", "bad"), ("http://" + ".".join(["a" * 60] * 5), "range"),
    ],
    "DOKPLOY_API_TOKEN": [
        ("abc123", "ok"), ("dp_!#$%&'()*+,-./:;<=>?@[]^_`{|}~", "ok"),
        ("two words", "bad"), ("tab\there", "bad"), ("caf\u00e9", "bad"), ("x" * 1025, "range"),
    ],
    "DOKPLOY_SSH_HOST": [
        ("", "ok"), ("203.0.113.7", "ok"), ("dokploy.example.com", "ok"), ("::1", "ok"), ("[2001:db8::7]", "ok"),
        ("http://host", "bad"), ("host:22", "bad"), ("[::1", "bad"), ("-host", "bad"), ("a b", "bad"),
    ],
    "DOKPLOY_SSH_PORT_RANGE": [
        ("", "ok"), ("2222-2322", "ok"), ("1024-65535", "ok"), ("01024-2000", "ok"), ("5000-5000", "ok"),
        ("1023-2000", "bad"), ("2000-65536", "bad"), ("2222", "bad"), ("2222-", "bad"), ("a-b", "bad"),
        ("2222 - 2322", "bad"), ("-2222-2322", "bad"), ("3000-2000", "range"),
    ],
    "DOKPLOY_WORKSPACE_IMAGE": [
        ("", "ok"), ("cruizba/ubuntu-dind:noble-26.1.4", "ok"), ("ubuntu", "ok"),
        ("registry.example.com:5000/team/dind:v1.2", "ok"), ("ubuntu@sha256:" + "a" * 64, "ok"),
        ("Ubuntu", "bad"), ("ubuntu:", "bad"), ("ubuntu latest", "bad"), ("ubuntu@sha256:abc", "bad"),
        ("a/" * 130 + "b", "range"),
    ],
    "DOKPLOY_MACHINE_CPUS": [
        ("", "ok"), ("2", "ok"), ("0.5", "ok"), ("0.05", "ok"), ("1.25", "ok"), ("999", "ok"), ("010", "ok"),
        ("000.01", "ok"), ("0", "bad"), ("0.0", "bad"), ("00.00", "bad"), ("-1", "bad"), ("1.", "bad"),
        (".5", "bad"), ("1.234", "bad"), ("1000", "bad"), ("1e3", "bad"), ("two", "bad"),
    ],
    "DOKPLOY_MACHINE_MEMORY": [
        ("", "ok"), ("4g", "ok"), ("512m", "ok"), ("1048576", "ok"), ("8G", "ok"), ("100k", "ok"),
        ("0", "bad"), ("4gb", "bad"), ("4 g", "bad"), ("-4g", "bad"), ("4t", "bad"), ("1234567890", "bad"),
    ],
    "DOKPLOY_MACHINE_GPUS": [
        ("", "ok"), ("all", "ok"), ("1", "ok"), ("999", "ok"),
        ("0", "bad"), ("ALL", "bad"), ("1000", "bad"), ("1.5", "bad"), ("-1", "bad"),
    ],
    "DOKPLOY_TIMEOUT": [
        ("", "ok"), ("30s", "ok"), ("2m", "ok"), ("1h", "ok"), ("1.5s", "ok"), ("+10s", "ok"), ("1500ms", "ok"),
        ("1m30s", "ok"), ("5.s", "ok"),
        ("30", "bad"), ("s", "bad"), ("-5s", "bad"), ("5 s", "bad"), ("1d", "bad"), ("5S", "bad"), (".s", "bad"),
        ("100ms", "range"), ("0", "range"), ("2h", "range"),
    ],
    "DOKPLOY_CREATE_TIMEOUT": [
        ("", "ok"), ("10m", "ok"), ("1h30m", "ok"), ("24h", "ok"), ("90s", "ok"),
        ("ten", "bad"), ("10", "bad"), ("1h-5m", "bad"),
        ("5s", "range"), ("25h", "range"),
    ],
    "DOKPLOY_INACTIVITY_TIMEOUT": [
        ("", "ok"), ("30m", "ok"), ("4h", "ok"), ("8760h", "ok"), ("1.5h", "ok"), ("90000s", "ok"),
        ("\u00b5s", "bad"), ("never", "bad"), ("30", "bad"), ("-30m", "bad"),
        ("10s", "range"), ("8761h", "range"), ("2562048h", "range"),
    ],
    "DOKPLOY_SSH_CONTROL_PERSIST": [
        ("", "ok"), ("0", "ok"), ("0s", "ok"), ("10m", "ok"), ("24h", "ok"), ("1.5s", "ok"), ("500ms", "ok"),
        ("forever", "bad"), ("10", "bad"), ("-1m", "bad"), ("1d", "bad"),
        ("25h", "range"),
    ],
}


def render_manifest() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "provider.yaml")
        subprocess.run(["cmake", "-DTEMPLATE=" + os.path.join(ROOT, "provider.yaml"), "-DOUTPUT=" + output,
                        "-DVERSION=1.2.3", "-DBINARIES=", "-P", os.path.join(ROOT, "cmake", "RenderProvider.cmake")],
                       check=True, capture_output=True)
        with open(output, encoding="utf-8") as file:
            return yaml.safe_load(file)


class OptionPatternsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.options = render_manifest()["options"]
        # A name that never resolves (RFC 6761): refused at once, not retried like a refused connection.
        cls.url = "http://option-patterns.invalid"

    def binary_accepts(self, name: str, value: str) -> tuple[bool, str]:
        """init with the value: exit 2 means refused before any request; 1 means accepted (then Dokploy, at a
        name that does not resolve, cannot be reached)."""
        env = {"DOKPLOY_SERVER_URL": self.url, "DOKPLOY_API_TOKEN": TOKEN, "DOKPLOY_TIMEOUT": "1s", name: value}
        result = run_provider(["init"], env, timeout=60)
        self.assertIn(result.returncode, (1, 2), result.stderr)
        return result.returncode == 1, result.stderr.decode(errors="replace")

    def test_every_pattern_agrees_with_the_binary(self):
        for name, rows in TABLE.items():
            pattern = self.options[name]["validationPattern"]
            self.assertTrue(pattern.startswith("^") and pattern.endswith("$"), f"{name}: DevPod's match is not anchored")
            for value, expected in rows:
                with self.subTest(option=name, value=value):
                    pattern_ok = re.search(pattern, value) is not None
                    binary_ok, stderr = self.binary_accepts(name, value)
                    self.assertEqual(pattern_ok, expected in ("ok", "range"), f"pattern on {value!r}")
                    self.assertEqual(binary_ok, expected == "ok", f"binary on {value!r}: {stderr}")
                    if not binary_ok:
                        self.assertIn(name, stderr)

    def test_every_option_with_a_known_form_has_a_pattern_and_every_option_a_display_name(self):
        self.assertEqual(set(TABLE), {n for n, o in self.options.items() if "validationPattern" in o})
        for name, option in self.options.items():
            with self.subTest(option=name):
                self.assertTrue(option.get("displayName"))
                if "validationPattern" in option:
                    self.assertTrue(option["validationMessage"].startswith(name))
                    self.assertNotIn("type", option)  # the pattern is the check; `duration` would refuse ""


if __name__ == "__main__":
    unittest.main()
