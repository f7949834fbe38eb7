# SPDX-License-Identifier: MIT
"""How many API requests and HTTPS connections each subcommand costs, counted with the simulator's request log
and the CONNECTs of a proxy in front of it (one CONNECT per connection), with no and with 20 other compose
services on the instance. The goals: one connection per process, status one request when the state file is
there (and no SSH login), and create's request count independent of the other services (at most 2 more)."""
import glob
import os
import shutil
import sys
import tempfile
import unittest

from harness import Simulator, free_port_range, provider_env, run_provider
from pki import PkiUnavailable, make_pki
from proxy_fixture import Proxy

TOKEN = "counting-token-5e7a9c1b"
VERBS = ("create", "status", "stop", "status", "start", "delete")
OTHER_SERVICES = 20


class RequestCountTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="dp-counts-")
        try:
            cls.pki = make_pki(cls.root)
        except PkiUnavailable as missing:
            shutil.rmtree(cls.root, ignore_errors=True)
            raise unittest.SkipTest(str(missing))
        cls.sim = Simulator(token=TOKEN, deploy_seconds=0.2, tls_cert=cls.pki.server_a.cert,
                            tls_key=cls.pki.server_a.key).start()
        cls.proxy = Proxy().__enter__()
        cls.port_range = free_port_range(6)

    @classmethod
    def tearDownClass(cls):
        cls.proxy.__exit__(None, None, None)
        cls.sim.stop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def env(self, machine):
        low, high = self.port_range
        return provider_env(self.sim, machine, os.path.join(self.root, machine), DOKPLOY_CA_FILE=self.pki.ca_a,
                            HTTPS_PROXY=self.proxy.url, NO_PROXY=None, DOKPLOY_SSH_PORT_RANGE=f"{low}-{high}",
                            DOKPLOY_CREATE_TIMEOUT="60s")

    def measured(self, verb, machine):
        """Runs one subcommand; returns (procedures requested, connections opened)."""
        self.sim.clear_requests()
        seen_before = len(self.proxy.seen)
        result = run_provider([verb], self.env(machine), timeout=120)
        self.assertEqual(result.returncode, 0, f"{verb} failed:\n{result.stderr.decode()}")
        procedures = [r["path"].removeprefix("/api/") for r in self.sim.requests()]
        connects = [s for s in self.proxy.seen[seen_before:] if s[0] == "CONNECT"]
        return procedures, len(connects), result.stdout.decode()

    def ssh_logins(self):
        """How many SSH logins the simulator's sshds have accepted so far."""
        count = 0
        for path in glob.glob(os.path.join(self.sim._dir, "state", "*", "*", "sshd.log")):  # noqa: SLF001
            with open(path, encoding="utf-8", errors="replace") as log:
                count += log.read().count("Accepted publickey")
        return count

    def lifecycle(self, machine):
        """(verb, procedures, connections) for create, status, stop, status, start, delete of one machine."""
        rows = []
        for verb in VERBS:
            logins = self.ssh_logins()
            procedures, connections, stdout = self.measured(verb, machine)
            if verb == "status":
                self.assertIn(stdout, ("Running\n", "Stopped\n"))
                self.assertEqual(self.ssh_logins(), logins, "status logged in over SSH")
            rows.append((verb, procedures, connections))
        return rows

    def add_other_services(self, count):
        """`count` compose services in another project, each publishing a port outside the machines' range."""
        created = self.sim.api("project.create", body={"name": "other-apps", "description": ""})
        environment_id = created["environment"]["environmentId"]
        for i in range(count):
            compose = self.sim.api("compose.create", body={"name": f"app-{i}", "environmentId": environment_id,
                                                           "composeType": "docker-compose"})
            compose_file = f"services:\n  web:\n    image: nginx\n    ports:\n      - \"{41000 + i}:80\"\n"
            self.sim.api("compose.update", body={"composeId": compose["composeId"], "composeFile": compose_file,
                                                 "sourceType": "raw"})

    def test_requests_do_not_grow_with_other_services_and_reuse_one_connection(self):
        self.lifecycle("count-first-0a1b2")  # makes the workspace project, so that both runs below find it
        alone = self.lifecycle("count-alone-1a2b3")
        self.add_other_services(OTHER_SERVICES)
        crowded = self.lifecycle("count-crowd-4d5e6")
        report = [f"{'subcommand':<10} {'requests':>8} {f'+{OTHER_SERVICES} services':>13} {'connections':>11}"]
        for (verb, few, _), (_, many, connections) in zip(alone, crowded):
            report.append(f"{verb:<10} {len(few):>8} {len(many):>13} {connections:>11}")
        report.append(f"create's requests: {' '.join(crowded[0][1])}")
        sys.stderr.write("\n" + "\n".join(report) + "\n")
        for (verb, few, _), (_, many, connections) in zip(alone, crowded):
            with self.subTest(verb=verb):
                self.assertEqual(connections, 1, f"{verb} opened {connections} connections")
                if verb == "create":
                    self.assertLessEqual(len(many) - len(few), 2, f"create: {few}\nwith more services: {many}")
                else:
                    self.assertEqual(len(many), len(few), f"{verb}: {few}\nwith more services: {many}")
                    self.assertNotIn("settings.getDokployVersion", many, f"{verb} asked for the version again")
                if verb == "status":
                    self.assertEqual(many, ["compose.one"])


if __name__ == "__main__":
    unittest.main()
