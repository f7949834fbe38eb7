# SPDX-License-Identifier: MIT
"""The plumbing of smoke.py: check results and their report, child processes stopped by PID, and how this
host runs each platform's binary (natively, under qemu-aarch64-static, under wine, or not at all)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

import dist_checks as dc

TIMEOUTS = {"native": 60.0, "qemu": 120.0, "wine": 180.0}
IS_WINDOWS = sys.platform == "win32"
COLUMNS = ("file", "linkage", "launch", "version", "init", "tls", "machine")


class CheckFailed(Exception):
    """A check's failure, with the message to print."""


class CheckSkipped(Exception):
    """A check that cannot run here, with the reason."""


@dataclass
class Result:
    platform: str
    check: str
    status: str  # PASS, FAIL or SKIP
    seconds: float
    detail: str


class Report:
    """Prints one line per check as it ends and keeps the results for the summary."""

    def __init__(self) -> None:
        self.results: list[Result] = []

    def record(self, platform: str, check: str, status: str, seconds: float, detail: str = "") -> Result:
        result = Result(platform, check, status, seconds, detail)
        self.results.append(result)
        lines = detail.strip().splitlines() or [""]
        print(f"{status:<4}  {platform:<13} {check:<17} {seconds:6.2f}s  {lines[0]}", flush=True)
        for line in lines[1:25]:
            print(f"{'':45}{line}", flush=True)
        return result

    def run(self, platform: str, check: str, function) -> Result:
        """Runs function() (returning a detail line, raising CheckFailed / CheckSkipped) as one check."""
        start = time.monotonic()
        try:
            detail = function() or ""
            status = "PASS"
        except CheckSkipped as reason:
            status, detail = "SKIP", str(reason)
        except CheckFailed as failure:
            status, detail = "FAIL", str(failure)
        except Exception as error:  # a bug or an OS error: still one FAIL line, never a traceback mid-run
            status, detail = "FAIL", f"{type(error).__name__}: {error}"
        return self.record(platform, check, status, time.monotonic() - start, detail)

    def failed(self) -> bool:
        return any(r.status == "FAIL" for r in self.results)

    def summary(self) -> str:
        """A platform x check table (worst status per column; '-' not run), the dist checks, the totals."""
        platform_results = [r for r in self.results if r.platform != "dist"]
        found = {r.check.split(":")[0] for r in platform_results}
        columns = [c for c in COLUMNS if c in found] + sorted(found - set(COLUMNS))
        rows: dict[str, dict[str, str]] = {}
        for result in platform_results:
            cells = rows.setdefault(result.platform, {})
            column = result.check.split(":")[0]
            cells[column] = _worst(cells.get(column), result.status)
        width = {c: max(len(c), 4) for c in columns}
        lines = ["", "Summary", "platform       " + "  ".join(c.ljust(width[c]) for c in columns)]
        for platform, cells in rows.items():
            lines.append(f"{platform:<15}" + "  ".join(cells.get(c, "-").ljust(width[c]) for c in columns))
        dist = [f"{r.check} {r.status}" for r in self.results if r.platform == "dist"]
        if dist:
            lines.append("dist           " + ", ".join(dist))
        counts = {s: sum(r.status == s for r in self.results) for s in ("PASS", "FAIL", "SKIP")}
        total = sum(r.seconds for r in self.results)
        lines.append(f"smoke: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped "
                     f"({total:.1f}s in checks)")
        return "\n".join(line.rstrip() for line in lines)


def _worst(current: str | None, new: str) -> str:
    order = {"FAIL": 3, "PASS": 2, "SKIP": 1}
    return new if current is None or order[new] > order[current] else current


@dataclass
class Launcher:
    """How this host runs one platform's binary: a command prefix, an environment, a timeout."""

    kind: str  # native, qemu or wine
    prefix: list[str]
    env: dict[str, str]

    @property
    def timeout(self) -> float:
        return TIMEOUTS[self.kind]

    def path(self, local: str) -> str:
        """A local path as the binary sees it (wine: Z:\\ is /)."""
        return "Z:" + local.replace("/", "\\") if self.kind == "wine" else local


class Processes:
    """Every child process started here, so that a timeout or an interrupt can stop them by PID."""

    def __init__(self) -> None:
        self.live: set[subprocess.Popen] = set()

    def run(self, command: list[str], env: dict[str, str], timeout: float, stdin: bytes | None = None,
            cwd: str | None = None, quiet: bool = False) -> subprocess.CompletedProcess:
        """Runs command to its end (stdin /dev/null unless given; output captured, or discarded when quiet);
        kills it and raises CheckFailed on timeout."""
        output = subprocess.DEVNULL if quiet else subprocess.PIPE
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=output,
                                   stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                   **_new_session())
        self.live.add(process)
        try:
            stdout, stderr = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(process)
            try:  # what it printed, unless a grandchild outside its session still holds the pipes
                stdout, stderr = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                stdout, stderr = b"", b"(not collected: the pipes are still held open)"
            stdout, stderr = stdout or b"", stderr or b""
            raise CheckFailed(f"`{_show(command)}` timed out after {timeout:.0f}s and was killed\n"
                              + streams(stdout, stderr)) from None
        finally:
            if process.poll() is not None:
                self.live.discard(process)
        return subprocess.CompletedProcess(command, process.returncode, stdout or b"", stderr or b"")

    def start_quiet(self, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        """Starts a background process (output discarded); stop_all() stops it."""
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, **_new_session())
        self.live.add(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        """SIGKILL the process (and, on POSIX, the session it leads); waits for it."""
        if process.poll() is None:
            try:
                if IS_WINDOWS:
                    process.kill()
                else:
                    os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                process.kill()
            process.wait(10)
        self.live.discard(process)

    def stop_all(self) -> None:
        for process in list(self.live):
            self.stop(process)


def _new_session() -> dict:
    """Popen arguments putting a child in its own session (POSIX), so that a timeout kills its children too."""
    return {} if IS_WINDOWS else {"start_new_session": True}


def _show(command: list[str]) -> str:
    return " ".join(os.path.basename(part) if os.path.isabs(part) else part for part in command)


def streams(stdout: bytes, stderr: bytes, limit: int = 1500) -> str:
    def text(data: bytes) -> str:
        decoded = data.decode(errors="replace").strip()
        return decoded if len(decoded) <= limit else decoded[:limit] + f" ... ({len(data)} bytes)"
    return f"stdout: {text(stdout)!r}\nstderr: {text(stderr)}"


def launch_kind(platform: dc.Platform, sys_platform: str, system: str, machine: str,
                have: Callable[[str], bool]) -> tuple[str | None, str]:
    """How this host runs platform's binary: ("native"|"qemu"|"wine", ""), ("missing", why) when the
    emulator is not installed, or (None, why) when this host cannot run it at all."""
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine.lower(), machine)
    if sys_platform == "win32":
        if platform.name == "windows-amd64":
            return "native", ""
        return None, f"{platform.os} binaries do not run on Windows"
    if system == "Darwin":
        if platform.os == "darwin" and platform.arch == arch:
            return "native", ""
        return None, f"{platform.name} does not run on this macOS {arch} host"
    if system != "Linux":
        return None, f"no way to run {platform.name} on {system}"
    if platform.os == "linux" and platform.arch == arch:
        return "native", ""
    if platform.name == "linux-arm64" and arch == "amd64":
        if have("qemu-aarch64-static"):
            return "qemu", ""
        return "missing", "qemu-aarch64-static not found (Debian: apt-get install qemu-user-static)"
    if platform.name == "windows-amd64" and arch == "amd64":
        if have("wine") and have("wineboot") and have("wineserver"):
            return "wine", ""
        return "missing", "wine not found (Debian: apt-get install wine wine64)"
    if platform.os == "darwin":
        return None, "Mach-O binaries run only on macOS (the release workflow's smoke-macos job runs them)"
    return None, f"no way to run {platform.name} on Linux {arch}"
