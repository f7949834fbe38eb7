# SPDX-License-Identifier: MIT
"""provider.yaml renders to a manifest DevPod accepts: every option, every verb, real checksums."""
import hashlib
import os
import re
import subprocess
import tempfile
import unittest

import yaml

from harness import provider_binary

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VERBS = ["init", "command", "create", "delete", "start", "stop", "status"]


def render(binaries, agent_binaries=None):
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "provider.yaml")
        agent = [] if agent_binaries is None else ["-DAGENT_BINARIES=" + agent_binaries]
        subprocess.run(["cmake", "-DTEMPLATE=" + os.path.join(ROOT, "provider.yaml"), "-DOUTPUT=" + output,
                        "-DVERSION=1.2.3", "-DBINARIES=" + binaries, *agent, "-P",
                        os.path.join(ROOT, "cmake", "RenderProvider.cmake")], check=True, capture_output=True)
        with open(output) as file:
            return yaml.safe_load(file)


class ProviderYamlTest(unittest.TestCase):
    def test_rendered_manifest(self):
        binary = provider_binary()
        manifest = render(f"linux/amd64={binary}={binary}|darwin/arm64=https://example.invalid/x={binary}")
        self.assertEqual(manifest["name"], "dokploy")
        self.assertEqual(manifest["version"], "v1.2.3")
        checksum = hashlib.sha256(open(binary, "rb").read()).hexdigest()
        entries = manifest["binaries"]["DOKPLOY_PROVIDER"]
        self.assertEqual([(e["os"], e["arch"]) for e in entries], [("linux", "amd64"), ("darwin", "arm64")])
        for entry in entries:
            self.assertRegex(entry["checksum"], r"^[0-9a-f]{64}$")
            self.assertEqual(entry["checksum"], checksum)
        self.assertEqual([(e["os"], e["arch"]) for e in manifest["agent"]["binaries"]["DOKPLOY_PROVIDER"]],
                         [("linux", "amd64")])
        # Quoted: DevPod's shell would split an unquoted path with a space (the e2e DevPod lane runs them so).
        for verb in VERBS:
            self.assertEqual(manifest["exec"][verb], '"${DOKPLOY_PROVIDER}" ' + verb)
        self.assertEqual(manifest["agent"]["exec"]["shutdown"], '"${DOKPLOY_PROVIDER}" stop --from-machine')
        self.assertTrue(manifest["options"]["DOKPLOY_API_TOKEN"]["password"])

    def test_development_manifest_has_no_checksums_and_no_auto_stop(self):
        """make provider-dev: a local path without checksum (a rebuild runs without `provider update`, and
        DevPod never deletes it over a stale checksum), and no agent binaries, which a machine could not
        download from a local path."""
        binary = provider_binary()
        manifest = render(f"linux/amd64={binary}", agent_binaries="")
        [entry] = manifest["binaries"]["DOKPLOY_PROVIDER"]
        self.assertEqual(entry, {"os": "linux", "arch": "amd64", "path": binary})
        self.assertNotIn("binaries", manifest["agent"])
        self.assertNotIn("exec", manifest["agent"])
        self.assertEqual(manifest["agent"]["inactivityTimeout"], "${DOKPLOY_INACTIVITY_TIMEOUT}")

    def test_agent_binaries_can_be_given_apart(self):
        binary = provider_binary()
        manifest = render(f"linux/amd64={binary}", agent_binaries=f"linux/arm64=https://example.invalid/a={binary}")
        [entry] = manifest["agent"]["binaries"]["DOKPLOY_PROVIDER"]
        self.assertEqual((entry["arch"], entry["path"]), ("arm64", "https://example.invalid/a"))
        self.assertRegex(entry["checksum"], r"^[0-9a-f]{64}$")
        self.assertIn("shutdown", manifest["agent"]["exec"])

    def test_inactivity_timeout_says_what_empty_means(self):
        """DevPod's agent takes its default, 20 minutes, for an empty value: the manifest says so (the pattern
        that DevPod checks is in test_option_patterns.py)."""
        option = render("")["options"]["DOKPLOY_INACTIVITY_TIMEOUT"]
        self.assertIn("empty: DevPod's default, 20m", option["description"])
        self.assertNotIn("never", option["validationMessage"])

    def sub_options(self):
        """What `dokploy-provider options` offers when Dokploy cannot be asked (no URL): the same definitions."""
        result = subprocess.run([provider_binary(), "options"], env={"PATH": os.environ["PATH"]},
                                capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        return yaml.safe_load(result.stdout)["options"]

    def test_every_option_the_binary_reads_is_declared_and_grouped(self):
        manifest = render("")
        sources = ""
        for folder, _, files in os.walk(os.path.join(ROOT, "pkg")):
            sources += "".join(open(os.path.join(folder, f)).read() for f in files if f.endswith(".cpp"))
        read = set(re.findall(r'"(DOKPLOY_[A-Z_]+)"', sources))
        sub_options = self.sub_options()
        declared = set(manifest["options"]) | set(sub_options)
        self.assertLessEqual(read, declared)
        # DevPod keeps and shows a sub option only when the manifest does not define it too.
        self.assertEqual(set(manifest["options"]) & set(sub_options), set())
        hidden = {name for name, option in manifest["options"].items() if option.get("hidden")}
        grouped = {name for group in manifest["optionGroups"] for name in group["options"]}
        self.assertEqual(grouped, declared - hidden)
        readme = open(os.path.join(ROOT, "README.md")).read()
        for name in read:
            self.assertIn(f"`{name}`", readme)

    def test_sub_options_come_after_url_and_key(self):
        """DevPod orders options by the variables of `default` and `command` only: the option that carries the
        subOptionsCommand names both in its command, so the choices are asked for with both known."""
        [carrier] = [o for o in render("")["options"].values() if o.get("subOptionsCommand")]
        self.assertEqual(carrier["subOptionsCommand"], '"${DOKPLOY_PROVIDER}" options')
        self.assertIn("${DOKPLOY_SERVER_URL}", carrier["command"])
        self.assertIn("${DOKPLOY_API_TOKEN}", carrier["command"])
        self.assertTrue(carrier["hidden"])


if __name__ == "__main__":
    unittest.main()
