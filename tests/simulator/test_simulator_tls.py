# SPDX-License-Identifier: MIT
"""Self-tests of the simulator's HTTPS mode (--tls-cert / --tls-key) and of the harness's tls_* parameters.

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/simulator -p 'test_*.py'
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import DEFAULT_SIM, Simulator  # noqa: E402
from pki import make_pki  # noqa: E402

TOKEN = "sim-tls-token"


def https_get(port: int, path: str, cafile: str | None, headers: dict | None = None) -> tuple[int, bytes]:
    """GET https://127.0.0.1:port/path verifying the certificate against `cafile` (None: the default store)."""
    context = ssl.create_default_context(cafile=cafile)
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def raw_exchange(port: int, data: bytes) -> bytes:
    """Sends `data` on a plain TCP connection and returns everything read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


class SimulatorTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dokploy-sim-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.pki = make_pki(cls.folder)
        cls.sim = Simulator(token=TOKEN, tls_cert=cls.pki.server_a.cert, tls_key=cls.pki.server_a.key).start()
        cls.addClassCleanup(cls.sim.stop)

    def setUp(self):
        self.sim.clear_faults()

    def health(self) -> int:
        return https_get(self.sim.port, "/api/health", self.pki.ca_a)[0]

    def test_serves_https_with_the_given_certificate(self):
        self.assertEqual(self.sim.url, f"https://127.0.0.1:{self.sim.port}")
        self.assertIn(f"listening on https://127.0.0.1:{self.sim.port}", self.sim.log_text())
        status, body = https_get(self.sim.port, "/api/settings.getDokployVersion", self.pki.ca_a,
                                 {"x-api-key": TOKEN})
        self.assertEqual((status, json.loads(body)), (200, "v0.30.2"))
        self.assertEqual(https_get(self.sim.port, "/api/project.all", self.pki.ca_a)[0], 401)
        with self.assertRaises(ssl.SSLCertVerificationError):
            https_get(self.sim.port, "/api/health", self.pki.ca_b)

    def test_harness_control_api_works_over_https(self):
        self.sim.clear_requests()
        self.assertEqual(self.sim.api("settings.getDokployVersion"), "v0.30.2")
        self.assertEqual([r["path"] for r in self.sim.requests()], ["/api/settings.getDokployVersion"])
        self.assertIn("composes", self.sim.state())

    def test_plain_http_gets_gos_400_answer(self):
        answer = raw_exchange(self.sim.port, b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(answer, b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
        self.assertEqual(self.health(), 200)

    def test_a_failed_handshake_closes_only_that_connection(self):
        answer = raw_exchange(self.sim.port, b"\x16\x03\x01\x00\x05junk!")  # a record, not a ClientHello
        self.assertFalse(answer.startswith(b"HTTP"), answer)  # at most a TLS alert, then closed
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10):
            pass  # connects and leaves without a byte
        self.assertEqual(self.health(), 200)

    def test_reset_fault_over_tls(self):
        self.sim.add_fault(match="settings.getDokployVersion", kind="reset")
        with self.assertRaises(OSError):
            https_get(self.sim.port, "/api/settings.getDokployVersion", self.pki.ca_a, {"x-api-key": TOKEN})
        self.assertEqual(self.sim.faults(), [])
        self.assertEqual(self.health(), 200)


class SimulatorTlsOptionsTest(unittest.TestCase):
    def run_sim(self, *args: str) -> subprocess.CompletedProcess:
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
        return subprocess.run([python, DEFAULT_SIM, "--token", "t", "--port", "0", *args],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False)

    def test_cert_and_key_go_together(self):
        result = self.run_sim("--tls-cert", "cert.pem")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--tls-cert and --tls-key go together", result.stderr)
        with self.assertRaises(ValueError):
            Simulator(tls_cert="cert.pem")

    def test_unreadable_files_fail_at_start(self):
        missing = os.path.join(tempfile.gettempdir(), "dokploy-sim-no-such-cert.pem")
        result = self.run_sim("--tls-cert", missing, "--tls-key", missing)
        self.assertEqual(result.returncode, 2)
        self.assertIn("cannot use --tls-cert", result.stderr)
        self.assertEqual(result.stdout, "")


if __name__ == "__main__":
    unittest.main()
