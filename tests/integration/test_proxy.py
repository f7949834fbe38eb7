# SPDX-License-Identifier: MIT
"""Behind a corporate proxy: the API goes through HTTPS_PROXY / http_proxy (libcurl's variables), NO_PROXY
exempts hosts, and SSH to the machine never goes through the proxy."""
import os
import shutil
import tempfile
import unittest

from harness import Simulator, free_port_range, provider_env, run_provider
from pki import PkiUnavailable, make_pki
from proxy_fixture import Proxy

TOKEN = "proxy-test-token-2d4f6a8c"


class ProxyTest(unittest.TestCase):
    def test_https_goes_through_https_proxy_with_connect(self):
        folder = tempfile.mkdtemp(prefix="dp-proxy-pki-")
        self.addCleanup(shutil.rmtree, folder, True)
        try:
            pki = make_pki(folder)
        except PkiUnavailable as missing:
            self.skipTest(str(missing))
        with Simulator(token=TOKEN, tls_cert=pki.server_a.cert, tls_key=pki.server_a.key) as sim, Proxy() as proxy:
            result = run_provider(["init"], provider_env(sim, DOKPLOY_CA_FILE=pki.ca_a, HTTPS_PROXY=proxy.url))
            self.assertEqual(result.returncode, 0, result.stderr.decode())
            self.assertIn(("CONNECT", f"127.0.0.1:{sim.port}"), proxy.seen)
            self.assertIn("/api/settings.getDokployVersion", [r["path"] for r in sim.requests()])

    def test_http_goes_through_http_proxy_unless_no_proxy_names_the_host(self):
        with Simulator(token=TOKEN) as sim, Proxy() as proxy:
            result = run_provider(["init"], provider_env(sim, http_proxy=proxy.url))
            self.assertEqual(result.returncode, 0, result.stderr.decode())
            self.assertIn(("GET", f"{sim.url}/api/settings.getDokployVersion"), proxy.seen)
            before = len(proxy.seen)
            result = run_provider(["init"], provider_env(sim, http_proxy=proxy.url, NO_PROXY="127.0.0.1"))
            self.assertEqual(result.returncode, 0, result.stderr.decode())
            self.assertEqual(len(proxy.seen), before, "NO_PROXY did not exempt the host")

    def test_ssh_to_the_machine_does_not_use_the_proxy(self):
        root = tempfile.mkdtemp(prefix="dp-proxy-machine-")
        self.addCleanup(shutil.rmtree, root, True)
        low, high = free_port_range(3)
        with Simulator(token=TOKEN) as sim, Proxy() as proxy:
            env = provider_env(sim, "proxy-1a2b3", os.path.join(root, "m"), DOKPLOY_SSH_PORT_RANGE=f"{low}-{high}",
                               NO_PROXY="127.0.0.1")
            try:
                self.assertEqual(run_provider(["create"], env, timeout=120).returncode, 0)
                proxied = {**env, "ALL_PROXY": proxy.url, "HTTPS_PROXY": proxy.url, "http_proxy": proxy.url,
                           "NO_PROXY": None, "COMMAND": "echo direct"}
                result = run_provider(["command"], proxied)
                self.assertEqual((result.returncode, result.stdout), (0, b"direct\n"), result.stderr.decode())
                self.assertEqual(proxy.seen, [])
            finally:
                run_provider(["delete"], env)


if __name__ == "__main__":
    unittest.main()
