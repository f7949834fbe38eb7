# SPDX-License-Identifier: MIT
"""A throwaway test PKI made with the `openssl` command-line tool (stdlib + openssl only).

    pki = make_pki(folder)      # under a second (13 openssl runs); every file lands in `folder`
    pki.ca_a, pki.ca_b          # CA certificates (PEM), as a client would trust them
    pki.server_a                # ServerCert(cert, key) for IP:127.0.0.1 + DNS:localhost, signed by CA A
    pki.server_b                # the same names, signed by CA B
    pki.server_a_wrong_name     # signed by CA A, but for DNS:wrong.example only
    pki.server_a_expired        # signed by CA A for 127.0.0.1, but valid only in January 2020

Both CAs and all keys are new on every call and valid for two days. Names and extensions come from
config files, never from -subj, so it also works with Git for Windows' MSYS openssl (which would turn
"/CN=..." into a Windows path) and with macOS's LibreSSL. Module named so that unittest discovery
(test_*.py) does not load it as a test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

RSA_BITS = 2048  # accepted by OpenSSL, LibreSSL, Schannel and wine
DAYS = 2
TIMEOUT = 60.0


class PkiUnavailable(Exception):
    """No usable `openssl` command here; the message says what was looked for."""


@dataclass(frozen=True)
class ServerCert:
    cert: str  # PEM certificate
    key: str   # PEM private key, unencrypted


@dataclass(frozen=True)
class Pki:
    folder: str
    ca_a: str
    ca_b: str
    server_a: ServerCert
    server_b: ServerCert
    server_a_wrong_name: ServerCert
    server_a_expired: ServerCert


def find_openssl() -> str:
    """The openssl program: $OPENSSL, then PATH, then (Windows) Git for Windows' copy; PkiUnavailable."""
    explicit = os.environ.get("OPENSSL")
    if explicit:
        if shutil.which(explicit):
            return shutil.which(explicit)
        raise PkiUnavailable(f"OPENSSL={explicit} is not an executable")
    found = shutil.which("openssl")
    if found:
        return found
    if sys.platform == "win32":
        for root in (os.environ.get("ProgramFiles", r"C:\Program Files"), os.environ.get("ProgramW6432", ""),
                     os.environ.get("ProgramFiles(x86)", "")):
            for sub in (r"Git\usr\bin\openssl.exe", r"Git\mingw64\bin\openssl.exe", r"OpenSSL\bin\openssl.exe"):
                candidate = os.path.join(root, sub) if root else ""
                if candidate and os.path.isfile(candidate):
                    return candidate
    raise PkiUnavailable("the `openssl` command is not installed (Debian: apt-get install openssl; "
                         "Windows: it comes with Git for Windows)")


def make_pki(folder: str, openssl: str | None = None) -> Pki:
    """Creates CAs A and B and three server certificates in `folder` (which must exist).

    Raises PkiUnavailable without openssl, RuntimeError (with openssl's output) when a command fails."""
    tool = openssl or find_openssl()
    run = _Runner(tool, folder)
    ca_a = run.ca("a", "dokploy-provider test CA A")
    ca_b = run.ca("b", "dokploy-provider test CA B")
    return Pki(
        folder=folder,
        ca_a=ca_a,
        ca_b=ca_b,
        server_a=run.server("server-a", "a", "127.0.0.1", "IP:127.0.0.1, DNS:localhost"),
        server_b=run.server("server-b", "b", "127.0.0.1", "IP:127.0.0.1, DNS:localhost"),
        server_a_wrong_name=run.server("server-a-wrong-name", "a", "wrong.example", "DNS:wrong.example"),
        server_a_expired=run.expired_server("server-a-expired", "a", "127.0.0.1", "IP:127.0.0.1, DNS:localhost"),
    )


class _Runner:
    def __init__(self, tool: str, folder: str) -> None:
        self.tool = tool
        self.folder = folder

    def path(self, name: str) -> str:
        return os.path.join(self.folder, name)

    def ca(self, name: str, common_name: str) -> str:
        """A self-signed CA certificate ca-NAME.pem with its key ca-NAME.key; returns the certificate."""
        config = self._write(f"ca-{name}.cnf", _config(common_name, [
            "basicConstraints = critical, CA:TRUE",
            "keyUsage = critical, keyCertSign, cRLSign",
            "subjectKeyIdentifier = hash",
        ]))
        cert, key = self.path(f"ca-{name}.pem"), self.key(f"ca-{name}.key")
        self._openssl("req", "-x509", "-new", "-key", key, "-sha256",
                      "-days", str(DAYS), "-set_serial", _serial(), "-config", config, "-extensions", "ext",
                      "-out", cert)
        return cert

    def server(self, name: str, ca: str, common_name: str, alt_names: str) -> ServerCert:
        """NAME.pem / NAME.key for `alt_names` (subjectAltName syntax), signed by CA `ca`."""
        config, cert, key, request = self._server_request(name, common_name, alt_names)
        self._openssl("x509", "-req", "-in", request, "-CA", self.path(f"ca-{ca}.pem"),
                      "-CAkey", self.path(f"ca-{ca}.key"), "-set_serial", _serial(), "-sha256",
                      "-days", str(DAYS), "-extfile", config, "-extensions", "ext", "-out", cert)
        return ServerCert(cert, key)

    def expired_server(self, name: str, ca: str, common_name: str, alt_names: str) -> ServerCert:
        """Like server(), but valid only on 1-2 January 2020: expired, though from a trusted CA. `openssl ca`,
        because `openssl x509` of OpenSSL 3.0 cannot set dates in the past."""
        config, cert, key, request = self._server_request(name, common_name, alt_names)
        database = self._write(f"{name}-index.txt", "")
        serial = self._write(f"{name}-serial", _serial()[2:].upper() + "\n")  # bare hex here
        ca_config = self._write(f"{name}-ca.cnf", "\n".join([
            "[ca]", "default_ca = local", "[local]", f"database = {database}", f"serial = {serial}",
            f"new_certs_dir = {self.folder}", "default_md = sha256", "policy = anything", "copy_extensions = none",
            "unique_subject = no", "[anything]", "commonName = supplied", ""]))
        self._openssl("ca", "-batch", "-notext", "-config", ca_config, "-cert", self.path(f"ca-{ca}.pem"),
                      "-keyfile", self.path(f"ca-{ca}.key"), "-startdate", "20200101000000Z",
                      "-enddate", "20200102000000Z", "-extfile", config, "-extensions", "ext", "-in", request,
                      "-out", cert)
        return ServerCert(cert, key)

    def _server_request(self, name: str, common_name: str, alt_names: str) -> tuple[str, str, str, str]:
        """A server certificate's extensions config, paths for it, a new key and its signing request."""
        config = self._write(f"{name}.cnf", _config(common_name, [
            "basicConstraints = critical, CA:FALSE",
            "keyUsage = critical, digitalSignature, keyEncipherment",
            "extendedKeyUsage = serverAuth",
            f"subjectAltName = {alt_names}",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid",
        ]))
        cert, key, request = self.path(f"{name}.pem"), self.key(f"{name}.key"), self.path(f"{name}.csr")
        self._openssl("req", "-new", "-key", key, "-sha256", "-config", config, "-out", request)
        return config, cert, key, request

    def key(self, name: str) -> str:
        """A new unencrypted RSA private key (PEM) in NAME; returns its path. RSA rather than ECDSA: wine's
        certificate chain engine (the Windows smoke test) cannot verify ECDSA signatures."""
        path = self.path(name)
        self._openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{RSA_BITS}", "-out", path)
        return path

    def _write(self, name: str, text: str) -> str:
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def _openssl(self, *args: str) -> None:
        # No OPENSSL_CONF: every command gets its settings from our -config / -extfile.
        env = {k: v for k, v in os.environ.items() if k != "OPENSSL_CONF"}
        result = subprocess.run([self.tool, *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=TIMEOUT, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"`openssl {' '.join(args[:2])}` failed with exit {result.returncode}:\n"
                               + result.stderr.decode(errors="replace").strip())


def _config(common_name: str, extensions: list[str]) -> str:
    return "\n".join([
        "[req]",
        "prompt = no",
        "distinguished_name = dn",
        "x509_extensions = ext",
        "[dn]",
        "O = dokploy-provider tests",
        f"CN = {common_name}",
        "[ext]",
        *extensions,
        "",
    ])


def _serial() -> str:
    """A random positive 64-bit serial number in openssl's 0x form."""
    return "0x" + (bytes([os.urandom(1)[0] & 0x7F | 0x01]) + os.urandom(7)).hex()
