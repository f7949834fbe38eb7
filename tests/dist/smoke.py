#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Smoke test of the release artefacts in dist/ (stdlib only; PyYAML used when present).

    python3 tests/dist/smoke.py [--dist DIR] [--platform P ...] [--require-all] [--expect-version V]

For each selected platform whose binary is in dist/ (all five by default): its headers and `file` output
name the right format and CPU; its linkage, read from the headers whatever the host, needs only what a stock
system ships (Linux: fully static; macOS: /usr/lib and /System/Library dylibs, a minimum of macOS 11.0 or
older; Windows: system DLLs only); then, where this host can run it,
`version` and `init` against the Dokploy simulator (good token, wrong token, bad URL), `init` over HTTPS
with a throwaway PKI made by the `openssl` command (tests/integration/pki.py: the certificate is verified,
DOKPLOY_CA_FILE trusted; on Linux and macOS SSL_CERT_FILE is honoured and joined with DOKPLOY_CA_FILE), and
on a Linux host with sshd a create / status / command / delete round trip. linux-amd64 runs natively,
linux-arm64 under qemu-aarch64-static, windows-amd64 under wine (prefix in build/wine-prefix; its first
creation takes minutes), darwin-* only on macOS (natively, matching arch). Also checks dist/checksums.txt and
dist/provider.yaml. One line per check with its duration, a summary table, exit 1 if anything failed.
Every process started here (simulator, binaries, wine) is stopped in a finally block. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import dist_checks as dc  # noqa: E402
from harness import Simulator, free_port_range, provider_env  # noqa: E402
from pki import Pki, PkiUnavailable, make_pki  # noqa: E402
from smoke_support import (IS_WINDOWS, CheckFailed, CheckSkipped, Launcher, Processes, Report,  # noqa: E402
                           launch_kind, streams)

TOKEN = "smoke-token-3b7e91c04d5a"
WRONG_TOKEN = "smoke-wrong-token-a61f0d2e"
SIM_VERSION = "v0.30.2"
WINEBOOT_TIMEOUT = 900.0
ROUND_TRIP_BYTES = 1 << 20


def _expect(result: subprocess.CompletedProcess, code: int, what: str) -> None:
    if result.returncode != code:
        raise CheckFailed(f"{what}: exit {result.returncode}, expected {code}\n"
                          + streams(result.stdout, result.stderr))


def _stderr_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.decode(errors="replace").splitlines() if line.strip()]


def _no_secrets(result: subprocess.CompletedProcess, *secrets: str) -> None:
    for secret in secrets:
        if secret.encode() in result.stdout or secret.encode() in result.stderr:
            raise CheckFailed(f"the token {secret[:6]}... appears in the output\n"
                              + streams(result.stdout, result.stderr))


class Smoke:
    """One run: the selected platforms, the shared simulator, wine, and the report."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.report = Report()
        self.processes = Processes()
        self.sim: Simulator | None = None
        self.tls_sims: dict[str, Simulator] = {}
        self.pki: Pki | None = None
        self.pki_problem: CheckFailed | CheckSkipped | None = None
        self.port_range: tuple[int, int] | None = None
        self.versions: dict[str, str] = {}
        self.launchers: dict[str, Launcher] = {}
        self.wine_env: dict[str, str] | None = None
        self.hashes: dict[str, str | None] | None = None
        self.scratch = tempfile.mkdtemp(prefix="dp-smoke-")

    # -- the run ------------------------------------------------------------------------------------

    def run(self) -> int:
        print(f"dist: {self.args.dist}; host: {host.system()} {host.machine()}; "
              f"platforms: {', '.join(self.args.platform)}", flush=True)
        try:
            for name in self.args.platform:
                self.check_platform(dc.PLATFORMS[name])
            self.report.run("dist", "versions", self.check_versions)
            self.report.run("dist", "checksums", self.check_checksums)
            self.report.run("dist", "manifest", self.check_manifest)
        finally:
            self.cleanup()
        print(self.report.summary(), flush=True)
        return 1 if self.report.failed() else 0

    def cleanup(self) -> None:
        """Stops everything this run started: wine's processes of our prefix, binaries, the simulator."""
        if self.wine_env is not None and shutil.which("wineserver"):
            # `wineserver -k` ends the wineserver of our own prefix and the wine processes attached to it.
            subprocess.run(["wineserver", "-k"], env=self.wine_env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
        self.processes.stop_all()
        for sim in [self.sim, *self.tls_sims.values()]:
            if sim is not None:
                sim.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def check_platform(self, platform: dc.Platform) -> None:
        path = os.path.join(self.args.dist, platform.file_name)
        if not os.path.isfile(path):
            status = "FAIL" if self.args.require_all else "SKIP"
            self.report.record(platform.name, "file", status, 0.0, f"{path} is missing")
            return
        format_ok = self.report.run(platform.name, "file", lambda: self.check_format(platform, path)).status
        self.report.run(platform.name, "linkage", lambda: self.check_linkage(platform, path))
        if format_ok == "FAIL":
            self.report.record(platform.name, "launch", "SKIP", 0.0, "not run: the file check failed")
            return
        launch = self.report.run(platform.name, "launch", lambda: self.prepare_launcher(platform, path))
        launcher = self.launchers.get(platform.name)
        if launch.status != "PASS" or launcher is None:
            return
        self.report.run(platform.name, "version", lambda: self.check_version(platform, launcher, path))
        if platform.name not in self.versions:  # did not run, or printed no version: init would not either
            return
        self.report.run(platform.name, "init:ok", lambda: self.check_init_ok(launcher, path))
        self.report.run(platform.name, "init:bad-token", lambda: self.check_init_wrong_token(launcher, path))
        self.report.run(platform.name, "init:bad-url", lambda: self.check_init_bad_url(launcher, path))
        self.tls_checks(platform, launcher, path)
        self.round_trip(platform, launcher, path)

    # -- static checks --------------------------------------------------------------------------------

    def check_format(self, platform: dc.Platform, path: str) -> str:
        with open(path, "rb") as file:
            info = dc.inspect_binary(file.read())
        problems = dc.binary_problems(platform, info)
        described = self._file_output(path)
        if described is not None:
            problems += dc.file_output_problems(platform, described)
        if problems:
            raise CheckFailed(f"{os.path.basename(path)}: " + "; ".join(problems))
        size = os.path.getsize(path) / 1e6
        return f"{described.split(',')[0] if described else platform.container + ' headers OK'}, " \
               f"{size:.1f} MB" + ("" if described is not None else " (`file` not available)")

    def check_linkage(self, platform: dc.Platform, path: str) -> str:
        """Headers only (any host): what the binary loads at run time; on Linux `file` must agree it is static."""
        with open(path, "rb") as file:
            info = dc.inspect_binary(file.read())
        problems = dc.linkage_problems(platform, info)
        if platform.os == "linux":
            described = self._file_output(path)
            if described is not None:
                problems += dc.file_static_problems(described)
        if problems:
            raise CheckFailed(f"{_LINKAGE_FAILURES[platform.os]}: " + "; ".join(problems))
        return dc.linkage_summary(info)

    def _file_output(self, path: str) -> str | None:
        """`file -b -L` output; None without `file` (the headers are still checked), except that
        --require-all needs it on Linux and macOS."""
        tool = shutil.which("file")
        if tool is None:
            if self.args.require_all and not IS_WINDOWS:
                raise CheckFailed("the `file` command is missing (Debian: apt-get install file)")
            return None
        result = subprocess.run([tool, "-b", "-L", path], capture_output=True, timeout=30, check=False)
        if result.returncode != 0:
            raise CheckFailed(f"`file` failed: {result.stderr.decode(errors='replace').strip()}")
        return result.stdout.decode(errors="replace").strip()

    # -- how to run a platform's binary here ----------------------------------------------------------

    def prepare_launcher(self, platform: dc.Platform, path: str) -> str:
        """Finds how to run the binary here (self.launchers[name]); CheckSkipped when this host cannot."""
        kind, reason = launch_kind(platform, sys.platform, host.system(), host.machine(),
                                   lambda tool: shutil.which(tool) is not None)
        if kind is None:
            raise CheckSkipped(reason)
        if kind == "missing":
            if self.args.require_all:
                raise CheckFailed(reason)
            raise CheckSkipped(reason)
        if not IS_WINDOWS and not os.access(path, os.X_OK):
            raise CheckFailed(f"{path} is not executable (artifact downloads drop the mode: chmod +x)")
        env = self._base_env()
        prefix: list[str] = []
        detail = "native"
        if kind == "qemu":
            prefix = [shutil.which("qemu-aarch64-static")]
            detail = f"under {prefix[0]}"
        elif kind == "wine":
            env.update(self._wine_env())
            prefix = [shutil.which("wine")]
            detail = f"under wine, WINEPREFIX={env['WINEPREFIX']}"
        self.launchers[platform.name] = Launcher(kind, prefix, env)
        return detail

    def _base_env(self) -> dict[str, str]:
        """The environment every run starts from: none of DevPod's, Dokploy's or proxy variables."""
        if IS_WINDOWS:  # Windows programs need SystemRoot, TEMP, ... : keep everything but ours
            return {k: v for k, v in os.environ.items() if not _foreign(k)}
        keep = ("PATH", "HOME", "TMPDIR", "LANG", "QEMU_LD_PREFIX")
        return {k: os.environ[k] for k in keep if k in os.environ}

    def _wine_env(self) -> dict[str, str]:
        """WINEPREFIX (created with `wineboot -i` on first use: slow), quiet wine settings, and a persistent
        wineserver with wine's services already up, so that each run takes ~0.1 s instead of ~4 s."""
        if self.wine_env is not None:
            return self.wine_env
        prefix = os.path.abspath(self.args.wine_prefix)
        env = {**self._base_env(), "WINEPREFIX": prefix, "WINEDEBUG": "-all",
               "WINEDLLOVERRIDES": "mscoree,mshtml=", "WINEARCH": "win64"}
        self.wine_env = env
        if not os.path.isfile(os.path.join(prefix, "system.reg")):
            print(f"      creating the wine prefix {prefix} with `wineboot -i`: first run only, this takes "
                  "a minute or more ...", flush=True)
            os.makedirs(os.path.dirname(prefix), exist_ok=True)
            start = time.monotonic()
            result = self.processes.run([shutil.which("wineboot"), "-i"], env, WINEBOOT_TIMEOUT)
            if result.returncode != 0 or not os.path.isfile(os.path.join(prefix, "system.reg")):
                raise CheckFailed(f"wineboot -i failed (exit {result.returncode})\n"
                                  + streams(result.stdout, result.stderr))
            print(f"      wine prefix ready after {time.monotonic() - start:.0f}s", flush=True)
        # wine's helper processes inherit the first wine process's stdout/stderr: start them here, on
        # /dev/null, or every captured run would wait for them to exit (~3 s after the run).
        self.processes.start_quiet([shutil.which("wineserver"), "-f", "-p"], env)
        self.processes.run([shutil.which("wine"), "cmd.exe", "/c", "exit"], env, WINEBOOT_TIMEOUT, quiet=True)
        return env

    def run_binary(self, launcher: Launcher, path: str, args: list[str], env: dict[str, str | None],
                   stdin: bytes | None = None) -> subprocess.CompletedProcess:
        full = dict(launcher.env)
        for key, value in env.items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = str(value)
        return self.processes.run([*launcher.prefix, path, *args], full, launcher.timeout, stdin,
                                  cwd=self.scratch)

    # -- checks that run the binary -------------------------------------------------------------------

    def simulator(self) -> Simulator:
        """The one simulator of this run, started on first use (127.0.0.1, port chosen by the OS)."""
        if self.sim is None:
            if not sys.platform.startswith("linux"):
                # harness prefers /usr/bin/python3 (Debian's, with yaml); elsewhere use ours (setup-python).
                os.environ.setdefault("DOKPLOY_SIM_PYTHON", sys.executable)
            self.sim = Simulator(token=TOKEN, deploy_seconds=0.2, verbose=False)
            self.sim.start()
        return self.sim

    def check_version(self, platform: dc.Platform, launcher: Launcher, path: str) -> str:
        result = self.run_binary(launcher, path, ["version"], {})
        _expect(result, 0, "version")
        version = dc.parse_version_output(result.stdout.decode(errors="replace"))
        if version is None:
            raise CheckFailed("first line is not 'dokploy-provider VERSION (commit HASH)'\n"
                              + streams(result.stdout, result.stderr))
        self.versions[platform.name] = version
        if self.args.expect_version and version != self.args.expect_version:
            raise CheckFailed(f"the binary says version {version}, expected {self.args.expect_version} "
                              "(the tag): was it built from the tagged commit, with the tags fetched?")
        return result.stdout.decode(errors="replace").strip().splitlines()[0]

    def check_init_ok(self, launcher: Launcher, path: str) -> str:
        result = self.run_binary(launcher, path, ["init"], provider_env(self.simulator()))
        _expect(result, 0, "init with the right token")
        # DevPod shows init's stderr as errors: the summary goes to stdout.
        lines = [line for line in result.stdout.decode(errors="replace").splitlines() if line.strip()]
        if result.stderr.strip() or len(lines) != 1 or SIM_VERSION not in lines[0]:
            raise CheckFailed("expected nothing on stderr and one summary line naming "
                              f"{SIM_VERSION} on stdout\n" + streams(result.stdout, result.stderr))
        _no_secrets(result, TOKEN)
        return lines[0][:110]

    def check_init_wrong_token(self, launcher: Launcher, path: str) -> str:
        env = provider_env(self.simulator(), DOKPLOY_API_TOKEN=WRONG_TOKEN)
        result = self.run_binary(launcher, path, ["init"], env)
        _expect(result, 1, "init with a wrong token")
        lines = _stderr_lines(result)
        if result.stdout.strip() or len(lines) != 1 or not lines[0].startswith("error: ") \
                or "DOKPLOY_API_TOKEN" not in lines[0]:
            raise CheckFailed("expected one 'error: ... DOKPLOY_API_TOKEN ...' line on stderr, nothing on "
                              "stdout\n" + streams(result.stdout, result.stderr))
        _no_secrets(result, WRONG_TOKEN, TOKEN)
        return lines[0][:110]

    def check_init_bad_url(self, launcher: Launcher, path: str) -> str:
        env = provider_env(self.simulator(), DOKPLOY_SERVER_URL="not a url")
        result = self.run_binary(launcher, path, ["init"], env)
        _expect(result, 2, "init with an invalid DOKPLOY_SERVER_URL")
        lines = _stderr_lines(result)
        if len(lines) != 1 or "DOKPLOY_SERVER_URL" not in lines[0]:
            raise CheckFailed("expected one line naming DOKPLOY_SERVER_URL\n" + streams(result.stdout, result.stderr))
        return lines[0][:110]

    # -- init over HTTPS: a throwaway PKI (CAs A and B), simulators serving certificates from each --------

    def tls_checks(self, platform: dc.Platform, launcher: Launcher, path: str) -> None:
        """untrusted and ca-file everywhere; ssl-cert-file and joined where TLS is OpenSSL's (not Windows,
        whose Schannel trusts the Windows store). Under wine, a result unlike Windows' is a SKIP: wine's
        Schannel is its own, GnuTLS-backed implementation."""
        checks = [("untrusted", self.check_tls_untrusted), ("ca-file", self.check_tls_ca_file)]
        if platform.os != "windows":
            checks += [("ssl-cert-file", self.check_tls_ssl_cert_file), ("joined", self.check_tls_joined)]
        for name, check in checks:
            self.report.run(platform.name, f"tls:{name}", lambda check=check: self._tls(check, launcher, path))

    def _tls(self, check, launcher: Launcher, path: str) -> str:
        self.tls_pki()
        try:
            return check(launcher, path)
        except CheckFailed as failure:
            if launcher.kind == "wine":
                raise CheckSkipped(f"under wine, whose Schannel (GnuTLS-backed) is not Windows': {failure}") from None
            raise

    def tls_pki(self) -> Pki:
        """The run's PKI, made on first use in the scratch folder. Without openssl: SKIP (FAIL with
        --require-all, except on Windows, where openssl comes only with Git for Windows)."""
        if self.pki is None and self.pki_problem is None:
            folder = os.path.join(self.scratch, "pki")
            os.makedirs(folder, exist_ok=True)
            try:
                self.pki = make_pki(folder)
            except PkiUnavailable as missing:
                strict = self.args.require_all and not IS_WINDOWS
                self.pki_problem = (CheckFailed if strict else CheckSkipped)(str(missing))
            except RuntimeError as error:
                self.pki_problem = CheckFailed(f"making the test PKI failed: {error}")
        if self.pki_problem is not None:
            raise self.pki_problem
        return self.pki

    def tls_simulator(self, ca: str) -> Simulator:
        """The HTTPS simulator whose certificate (127.0.0.1, localhost) CA `ca` ("a" or "b") signed."""
        if ca not in self.tls_sims:
            cert = {"a": self.pki.server_a, "b": self.pki.server_b}[ca]
            self.tls_sims[ca] = Simulator(token=TOKEN, deploy_seconds=0.2, verbose=False, tls_cert=cert.cert,
                                          tls_key=cert.key)
            self.tls_sims[ca].start()
        self.tls_sims[ca].clear_requests()
        return self.tls_sims[ca]

    def _tls_init(self, launcher: Launcher, path: str, ca: str, args: tuple[str, ...] = ("init",),
                  **extra: str | None) -> tuple[subprocess.CompletedProcess, Simulator]:
        sim = self.tls_simulator(ca)
        env = provider_env(sim, **{"SSL_CERT_FILE": None, "SSL_CERT_DIR": None, **extra})
        result = self.run_binary(launcher, path, list(args), env)
        _no_secrets(result, TOKEN)
        return result, sim

    def check_tls_untrusted(self, launcher: Launcher, path: str) -> str:
        result, sim = self._tls_init(launcher, path, "a")
        _expect(result, 1, "init against a certificate from an unknown CA, without DOKPLOY_CA_FILE")
        lines = _stderr_lines(result)
        if result.stdout.strip() or len(lines) != 1 or not lines[0].startswith("error: ") \
                or "127.0.0.1" not in lines[0] or "not trusted" not in lines[0]:
            raise CheckFailed("expected one 'error: certificate of 127.0.0.1 not trusted ...' line on stderr\n"
                              + streams(result.stdout, result.stderr))
        if sim.requests():
            raise CheckFailed(f"requests reached the server over the untrusted connection: {sim.requests()}")
        return lines[0][:110]

    def check_tls_ca_file(self, launcher: Launcher, path: str) -> str:
        result, _ = self._tls_init(launcher, path, "a", ("--verbose", "init"),
                                   DOKPLOY_CA_FILE=launcher.path(self.pki.ca_a))
        _expect(result, 0, "init --verbose with DOKPLOY_CA_FILE set to the server's CA")
        lines = [line for line in result.stdout.decode(errors="replace").splitlines() if line.strip()]  # init logs there
        if not any("accepted the token" in line for line in lines):
            raise CheckFailed("no 'accepted the token' line on stdout\n" + streams(result.stdout, result.stderr))
        # Which system store the binary found at run time (debug log; reported, not asserted).
        found = next((line for line in lines if "CA bundle:" in line), "")
        return found[found.find("CA bundle:"):][:110] if found else "DOKPLOY_CA_FILE trusted"

    def check_tls_ssl_cert_file(self, launcher: Launcher, path: str) -> str:
        result, _ = self._tls_init(launcher, path, "a", SSL_CERT_FILE=launcher.path(self.pki.ca_a))
        _expect(result, 0, "init with SSL_CERT_FILE set to the server's CA (no DOKPLOY_CA_FILE)")
        return "SSL_CERT_FILE read at run time as the system bundle"

    def check_tls_joined(self, launcher: Launcher, path: str) -> str:
        empty = os.path.join(self.scratch, "no-ca-folder")
        os.makedirs(empty, exist_ok=True)
        env = {"SSL_CERT_FILE": launcher.path(self.pki.ca_b), "SSL_CERT_DIR": launcher.path(empty),
               "DOKPLOY_CA_FILE": launcher.path(self.pki.ca_a)}
        for ca, what in (("b", "the system store's CA (SSL_CERT_FILE)"), ("a", "DOKPLOY_CA_FILE's CA")):
            result, _ = self._tls_init(launcher, path, ca, **env)
            _expect(result, 0, f"init against a server of {what} with SSL_CERT_FILE=B and DOKPLOY_CA_FILE=A")
        return "SSL_CERT_FILE=B + DOKPLOY_CA_FILE=A trusts servers of both CAs"

    # -- create / status / command / delete against the simulator's sshd (Linux hosts) ----------------

    def round_trip(self, platform: dc.Platform, launcher: Launcher, path: str) -> None:
        reason = self._round_trip_unavailable()
        if reason:
            self.report.record(platform.name, "machine", "SKIP", 0.0, reason)
            return
        if self.port_range is None:
            self.port_range = free_port_range(8)
        machine = f"smoke-{platform.name}-{os.urandom(3).hex()}"[:48]
        folder = os.path.join(self.scratch, machine)
        low, high = self.port_range
        env = provider_env(self.simulator(), machine, launcher.path(folder),
                           DOKPLOY_SSH_PORT_RANGE=f"{low}-{high}", DOKPLOY_CREATE_TIMEOUT="120s")
        exists = False

        def create() -> str:
            nonlocal exists
            exists = True
            result = self.run_binary(launcher, path, ["create"], env)
            _expect(result, 0, "create")
            return self._status(launcher, path, env, "Running")

        def command() -> str:
            data = os.urandom(ROUND_TRIP_BYTES)
            result = self.run_binary(launcher, path, ["command"], {**env, "COMMAND": "cat"}, stdin=data)
            _expect(result, 0, "command `cat`")
            if result.stdout != data:
                raise CheckFailed(f"command `cat` returned {len(result.stdout)} bytes that differ from the "
                                  f"{len(data)} sent, from byte {_first_difference(result.stdout, data)} on")
            script = "echo out; echo err >&2; exit 7"
            result = self.run_binary(launcher, path, ["command"], {**env, "COMMAND": script})
            _expect(result, 7, "command `exit 7`")
            if result.stdout.replace(b"\r\n", b"\n") != b"out\n" or b"err" not in result.stderr:
                raise CheckFailed("stdout/stderr of `echo out; echo err >&2` mixed up\n"
                                  + streams(result.stdout, result.stderr))
            if result.stdout != b"out\n":
                raise CheckFailed("stdout was translated (CRLF): the binary stream is not byte-exact")
            return f"{ROUND_TRIP_BYTES} random bytes through `cat` intact; exit 7 and stderr passed through"

        def delete() -> str:
            nonlocal exists
            result = self.run_binary(launcher, path, ["delete"], env)
            _expect(result, 0, "delete")
            exists = False
            return self._status(launcher, path, env, "NotFound")

        try:
            created = self.report.run(platform.name, "machine:create", create)
            if created.status == "PASS":
                self.report.run(platform.name, "machine:command", command)
            self.report.run(platform.name, "machine:delete", delete)
        finally:
            if exists:  # a failed create or delete: make sure the simulator's sshd for it is gone
                try:
                    self.run_binary(launcher, path, ["delete"], env)
                except CheckFailed:
                    pass

    def _round_trip_unavailable(self) -> str | None:
        if self.args.no_machine:
            return "--no-machine given"
        if not sys.platform.startswith("linux"):
            return "the simulator runs machines as sshd processes on Linux only"
        if not os.access("/usr/sbin/sshd", os.X_OK):
            return "/usr/sbin/sshd is missing (Debian: apt-get install openssh-server)"
        return None

    def _status(self, launcher: Launcher, path: str, env: dict, expected: str) -> str:
        result = self.run_binary(launcher, path, ["status"], env)
        _expect(result, 0, "status")
        if result.stdout.decode(errors="replace").strip() != expected:
            raise CheckFailed(f"status says {result.stdout!r}, expected {expected}\n"
                              + streams(result.stdout, result.stderr))
        return f"status: {expected}"

    # -- dist-wide checks -----------------------------------------------------------------------------

    def check_versions(self) -> str:
        found = sorted(set(self.versions.values()))
        if not found:
            raise CheckSkipped("no binary ran here")
        if len(found) > 1:
            raise CheckFailed("the binaries disagree: " + ", ".join(f"{p} {v}" for p, v in self.versions.items()))
        return f"{found[0]} from {', '.join(self.versions)}"

    def _actual_files(self) -> dict[str, str | None]:
        """{name: sha256} of every file in dist/ (None for folders), computed once."""
        if self.hashes is None:
            self.hashes = {}
            for name in sorted(os.listdir(self.args.dist)):
                path = os.path.join(self.args.dist, name)
                self.hashes[name] = dc.sha256_file(path) if os.path.isfile(path) else None
        return self.hashes

    def _required_file(self, name: str) -> str:
        path = os.path.join(self.args.dist, name)
        if not os.path.isfile(path):
            if self.args.require_all:
                raise CheckFailed(f"{path} is missing")
            raise CheckSkipped(f"{path} is missing")
        with open(path, encoding="utf-8") as file:
            return file.read()

    def check_checksums(self) -> str:
        entries, problems = dc.parse_checksums(self._required_file("checksums.txt"))
        binaries = [p.file_name for p in dc.PLATFORMS.values()]
        problems += dc.checksum_problems(entries, self._actual_files(), binaries)
        if problems:
            raise CheckFailed("\n".join(problems))
        return f"{len(entries)} files match: {', '.join(sorted(entries))}"

    def check_manifest(self) -> str:
        manifest, parser = dc.load_manifest(self._required_file("provider.yaml"))
        version = self.args.expect_version or next(iter(self.versions.values()), None)
        problems = dc.manifest_problems(manifest, self._actual_files(), version)
        if problems:
            raise CheckFailed("\n".join(problems))
        return (f"{manifest.get('version')}: 5 binaries, 2 agent binaries, URLs and checksums match "
                f"(parsed with {parser})")


_LINKAGE_FAILURES = {"linux": "not a fully static binary",
                     "darwin": f"would not run on every macOS {dc.MACOS_BASELINE} or later",
                     "windows": "would not run on a stock Windows"}


def _foreign(key: str) -> bool:
    """Variables that must not leak into a run: DevPod's, the provider's options, proxies."""
    upper = key.upper()
    return upper.startswith(("DOKPLOY_", "DEVPOD", "MACHINE_", "PROVIDER_", "WORKSPACE_")) \
        or upper == "COMMAND" or upper.endswith("_PROXY")


def _first_difference(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Smoke-test the release binaries in dist/.")
    parser.add_argument("--dist", default=os.path.join(ROOT, "dist"), help="the dist folder (default: ./dist)")
    parser.add_argument("--platform", nargs="+", action="extend", choices=list(dc.PLATFORMS), metavar="P",
                        help=f"platforms to check (default: all): {', '.join(dc.PLATFORMS)}")
    parser.add_argument("--require-all", action="store_true",
                        help="a missing binary, checksums.txt, provider.yaml or emulator is a failure")
    parser.add_argument("--expect-version", metavar="V",
                        help="the version every binary and the manifest must report (e.g. 1.2.3 for tag v1.2.3)")
    parser.add_argument("--wine-prefix", default=os.path.join(ROOT, "build", "wine-prefix"),
                        help="WINEPREFIX for windows-amd64 under wine (default: build/wine-prefix)")
    parser.add_argument("--no-machine", action="store_true",
                        help="skip the create/command/delete round trip against the simulator's sshd")
    args = parser.parse_args(argv)
    args.platform = [name for name in dc.PLATFORMS if name in (args.platform or dc.PLATFORMS)]
    if args.expect_version:
        args.expect_version = args.expect_version.removeprefix("v")
    args.dist = os.path.abspath(args.dist)
    if not os.path.isdir(args.dist):
        parser.error(f"{args.dist} is not a folder (run `make dist` first)")
    return args


def main(argv=None) -> int:
    smoke = Smoke(parse_args(argv))
    # A cancelled CI job sends SIGTERM: exit through the finally blocks, which stop what we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return smoke.run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
