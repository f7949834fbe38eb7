# SPDX-License-Identifier: MIT
"""`init` against the simulator over HTTPS, with a throwaway PKI (pki.py): certificates are verified, the
system trust (SSL_CERT_FILE / SSL_CERT_DIR standing in for it) and DOKPLOY_CA_FILE are joined, names are
checked, and a scheme that does not match the port fails with one clear line. The token never shows."""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Simulator, provider_env, run_provider
from pki import find_openssl, make_pki

TOKEN = "tls-test-token-8d2a61f5c3"


class TlsTest(unittest.TestCase):
    """One PKI and up to four simulators (server cert A, B, A for a wrong name, plain HTTP) for all tests."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dokploy-tls-test-")
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.pki = make_pki(cls.folder)
        # An empty CA folder: with SSL_CERT_FILE it makes a stand-in system store of exactly one file,
        # without the real /etc/ssl/certs.
        cls.empty_dir = os.path.join(cls.folder, "empty")
        os.mkdir(cls.empty_dir)
        cls.sims = {}

    def sim(self, name: str) -> Simulator:
        """The simulator serving `name` ("a", "b", "wrong-name" or "plain"), started on first use."""
        if name not in self.sims:
            cert = {"a": self.pki.server_a, "b": self.pki.server_b, "wrong-name": self.pki.server_a_wrong_name,
                    "expired": self.pki.server_a_expired,
                    "plain": None}[name]
            sim = Simulator(token=TOKEN, tls_cert=cert and cert.cert, tls_key=cert and cert.key)
            self.sims[name] = sim.start()
            self.addClassCleanup(sim.stop)
        sim = self.sims[name]
        sim.clear_requests()
        return sim

    def init(self, server: str, args=("init",), **extra) -> subprocess.CompletedProcess:
        result = run_provider(list(args), provider_env(self.sim(server), **extra), timeout=30)
        for stream in (result.stdout, result.stderr):
            self.assertNotIn(TOKEN.encode(), stream)
        return result

    def assert_ok(self, result: subprocess.CompletedProcess) -> None:
        self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
        self.assertIn("accepted the token", result.stdout.decode())  # init's progress goes to stdout
        self.assertEqual(result.stderr, b"")

    def error_line(self, result: subprocess.CompletedProcess) -> str:
        """The one stderr line of a failed run (exit 1), which must start with 'error: '."""
        stderr = result.stderr.decode(errors="replace")
        self.assertEqual(result.returncode, 1, stderr)
        lines = stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, stderr)
        self.assertTrue(lines[0].startswith("error: "), lines[0])
        return lines[0]

    def test_untrusted_certificate_fails_before_the_token_is_sent(self):
        # SSL_CERT_FILE / SSL_CERT_DIR unset (run_provider passes only PATH and HOME): the real system store.
        line = self.error_line(self.init("a"))
        self.assertIn("certificate of 127.0.0.1 not trusted", line)
        self.assertIn("DOKPLOY_CA_FILE", line)
        self.assertEqual(self.sims["a"].requests(), [])  # no request, so no x-api-key, reached the server
        verbose = self.init("a", args=("--verbose", "init"))
        self.assertEqual(verbose.returncode, 1, verbose.stderr)
        self.assertEqual(self.sims["a"].requests(), [])

    def test_an_expired_certificate_of_a_trusted_ca_is_called_expired(self):
        """Not "not trusted; set DOKPLOY_CA_FILE": the CA is in DOKPLOY_CA_FILE already."""
        line = self.error_line(self.init("expired", DOKPLOY_CA_FILE=self.pki.ca_a))
        self.assertIn("the certificate of 127.0.0.1 has expired or is not valid yet", line)
        self.assertIn("renew it on the server", line)
        self.assertNotIn("set DOKPLOY_CA_FILE", line)
        self.assertEqual(self.sims["expired"].requests(), [])

    def test_dokploy_ca_file_is_trusted(self):
        result = self.init("a", DOKPLOY_CA_FILE=self.pki.ca_a)
        self.assert_ok(result)
        self.assertIn(self.sims["a"].url, result.stdout.decode())
        self.assertIn("/api/settings.getDokployVersion", [r["path"] for r in self.sims["a"].requests()])

    def test_ssl_cert_file_is_the_system_bundle_found_at_run_time(self):
        self.assert_ok(self.init("a", SSL_CERT_FILE=self.pki.ca_a))
        # It replaces the system bundle: B alone does not trust A's server.
        line = self.error_line(self.init("a", SSL_CERT_FILE=self.pki.ca_b, SSL_CERT_DIR=self.empty_dir))
        self.assertIn("not trusted", line)

    def test_ssl_cert_dir_is_the_system_folder_found_at_run_time(self):
        hashed = os.path.join(self.folder, "hashed-a")
        os.makedirs(hashed, exist_ok=True)
        subject_hash = subprocess.run([find_openssl(), "x509", "-hash", "-noout", "-in", self.pki.ca_a],
                                      capture_output=True, text=True, check=True, timeout=30).stdout.strip()
        shutil.copy(self.pki.ca_a, os.path.join(hashed, f"{subject_hash}.0"))
        self.assert_ok(self.init("a", SSL_CERT_FILE=self.pki.ca_b, SSL_CERT_DIR=hashed))

    def test_dokploy_ca_file_is_joined_with_the_system_store_not_substituted(self):
        # SSL_CERT_FILE=B (and no CA folder) stands in for the system store; DOKPLOY_CA_FILE adds A to it.
        joined = {"SSL_CERT_FILE": self.pki.ca_b, "SSL_CERT_DIR": self.empty_dir, "DOKPLOY_CA_FILE": self.pki.ca_a}
        self.assert_ok(self.init("b", **joined))  # the system store still counts
        self.assert_ok(self.init("a", **joined))  # and so does the added CA
        # Controls: each CA alone trusts only its own server.
        alone_a = {"SSL_CERT_FILE": os.path.join(self.empty_dir, "none.pem"), "SSL_CERT_DIR": self.empty_dir,
                   "DOKPLOY_CA_FILE": self.pki.ca_a}
        self.assertIn("not trusted", self.error_line(self.init("b", **alone_a)))
        self.assert_ok(self.init("a", **alone_a))

    def test_certificate_for_another_name_is_refused(self):
        line = self.error_line(self.init("wrong-name", DOKPLOY_CA_FILE=self.pki.ca_a))
        self.assertIn("certificate of 127.0.0.1", line)
        self.assertIn("subject name", line)  # libcurl: "no alternative certificate subject name matches"
        # The advice fits the cause: the URL's host, not another CA file.
        self.assertIn("issued for other names", line)
        self.assertIn("DOKPLOY_SERVER_URL", line)
        self.assertNotIn("DOKPLOY_CA_FILE", line)
        self.assertEqual(self.sims["wrong-name"].requests(), [])

    def test_http_url_for_the_tls_port_fails_with_the_servers_answer(self):
        url = self.sim("a").url.replace("https://", "http://")
        line = self.error_line(self.init("a", DOKPLOY_SERVER_URL=url, DOKPLOY_CA_FILE=self.pki.ca_a))
        # Go's (so Traefik's) answer to plain HTTP on a TLS port, which the simulator imitates.
        self.assertIn("400", line)
        self.assertIn("Client sent an HTTP request to an HTTPS server", line)

    def test_https_url_for_a_plain_http_port_fails_naming_the_handshake(self):
        url = self.sim("plain").url.replace("http://", "https://")
        line = self.error_line(self.init("plain", DOKPLOY_SERVER_URL=url, DOKPLOY_CA_FILE=self.pki.ca_a))
        self.assertIn(f"TLS handshake with 127.0.0.1:{self.sims['plain'].port} failed", line)
        self.assertIn("https only for a port that speaks TLS", line)
        self.assertEqual(self.sims["plain"].requests(), [])


if __name__ == "__main__":
    unittest.main()
