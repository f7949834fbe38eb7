# SPDX-License-Identifier: MIT
"""Benchmark `dokploy-provider command` against OpenSSH's `ssh` on one throwaway sshd.

    /usr/bin/python3 bench/ssh_bench.py --binary build/release/cmd/dokploy-provider [--runs 5] [--mib 64]

Both clients use the same sshd on 127.0.0.1, the same client key and a pinned host key. Scenarios,
each run --runs times, ours (direct, DOKPLOY_SSH_CONTROL_PERSIST=0), ours over our shared connection
and ssh alternating:
  true      `command true`: connection set-up + exec + teardown latency
  cat       --mib MiB of random data through remote `cat` (stdin from a file, stdout to a file; the
            output size is checked on every run and its SHA-256 on the first)
Also measured: `true` over an OpenSSH ControlMaster connection (the reference for our shared
connection) and how much of our direct `true` is the SSH handshake (from --verbose timestamps). Prints
medians, ratios, CPU time and peak RSS (of the `command` process; over the shared connection the copying
happens in the master). Everything started here, our master included, is stopped by PID before exiting.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from sshd_fixture import Sshd, client_public_key, make_machine_folder, stop_masters  # noqa: E402

SSH = "/usr/bin/ssh"
GNU_TIME = "/usr/bin/time"  # Debian package `time`


class Result:
    def __init__(self, wall: float, cpu: float, maxrss_kib: int, returncode: int):
        self.wall, self.cpu, self.maxrss_kib, self.returncode = wall, cpu, maxrss_kib, returncode


def timed_run(argv: list[str], env: dict, stdin_path: str | None, stdout_path: str | None,
              timeout: float = 120) -> Result:
    """Runs argv under GNU time (a small fork parent, so that peak RSS is the client's own and not
    the forked Python's); wall time is measured here, CPU time (user+sys) and peak RSS by time(1)."""
    with tempfile.NamedTemporaryFile("r", prefix="dp-bench-time-") as report:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        try:
            start = time.perf_counter()
            done = subprocess.run([GNU_TIME, "-f", "%U %S %M", "-o", report.name] + argv, env=env, stdin=stdin,
                                  stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)
            wall = time.perf_counter() - start
        finally:
            for stream in (stdin, stdout):
                if hasattr(stream, "close"):
                    stream.close()
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
        user, system, maxrss = report.read().split()[-3:]
        return Result(wall, float(user) + float(system), int(maxrss), done.returncode)


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def phases(binary: str, env: dict) -> dict[str, float]:
    """Milliseconds spent in each phase of one `command true`, from the --verbose log timestamps:
    start (process start to first log line), handshake (TCP + key exchange + host-key check + auth),
    channel (session channel open + exec request), rest (remote run, close, exit)."""
    start = time.perf_counter()
    done = subprocess.run([binary, "--verbose", "command"], env=dict(env, COMMAND="true"),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=True)
    total_ms = (time.perf_counter() - start) * 1000
    marks: dict[str, int] = {}
    for line in done.stderr.decode(errors="replace").splitlines():
        match = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) debug (connecting to|authenticated as|running the command|"
                         r"the remote command exited)", line)
        if match:
            h, m, s, ms = (int(x) for x in match.groups()[:4])
            marks.setdefault(match.group(5), ((h * 60 + m) * 60 + s) * 1000 + ms)
    keys = ("connecting to", "authenticated as", "running the command", "the remote command exited")
    if any(key not in marks for key in keys):
        raise RuntimeError("the --verbose log lacks the phase markers this benchmark reads")
    logged = marks[keys[3]] - marks[keys[0]]
    return {"total": total_ms, "handshake": marks[keys[1]] - marks[keys[0]],
            "channel": marks[keys[2]] - marks[keys[1]], "run+close": marks[keys[3]] - marks[keys[2]],
            "process": total_ms - logged}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.environ.get("DOKPLOY_PROVIDER_BIN"),
                        help="the dokploy-provider binary (default: $DOKPLOY_PROVIDER_BIN)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario and client (default 5)")
    parser.add_argument("--mib", type=int, default=64, help="MiB pushed through `cat` (default 64)")
    args = parser.parse_args()
    if not args.binary or not os.access(args.binary, os.X_OK):
        parser.error("--binary must name the built dokploy-provider")
    if not os.access(GNU_TIME, os.X_OK):
        parser.error(f"{GNU_TIME} is missing: apt-get install time")
    binary = os.path.abspath(args.binary)

    root = tempfile.mkdtemp(prefix="dp-bench-")
    try:
        with Sshd() as sshd:
            folder = make_machine_folder(root, sshd.port, sshd.host_key + ".pub")
            sshd.authorize(client_public_key(folder))
            known_hosts = os.path.join(root, "known_hosts")
            with open(sshd.host_key + ".pub", encoding="ascii") as pub, open(known_hosts, "w") as out:
                out.write(f"[127.0.0.1]:{sshd.port} {pub.read().strip()}\n")
            data = os.path.join(root, "data.bin")
            with open(data, "wb") as out:
                for _ in range(args.mib):
                    out.write(os.urandom(1 << 20))
            expected_sha = sha256_file(data)
            output = os.path.join(root, "out.bin")

            env = dict(os.environ, MACHINE_FOLDER=folder)
            env.pop("DEVPOD_DEBUG", None)
            # Our direct path (every command its own connection, as on Windows), and connection reuse.
            direct_env = dict(env, DOKPLOY_SSH_CONTROL_PERSIST="0")
            ssh_base = [SSH, "-F", "/dev/null", "-i", os.path.join(folder, "id_ed25519"),
                        "-o", f"UserKnownHostsFile={known_hosts}", "-o", "StrictHostKeyChecking=yes",
                        "-o", "BatchMode=yes", "-p", str(sshd.port), f"{getpass.getuser()}@127.0.0.1"]
            control = os.path.join(root, "mux.sock")
            mux_opts = ["-o", "ControlMaster=auto", "-o", f"ControlPath={control}", "-o", "ControlPersist=120"]

            def ours(command: str, stdin: str | None, stdout: str | None) -> Result:
                return timed_run([binary, "command"], dict(direct_env, COMMAND=command), stdin, stdout)

            def ours_reused(command: str, stdin: str | None, stdout: str | None) -> Result:
                return timed_run([binary, "command"], dict(env, COMMAND=command), stdin, stdout)

            def theirs(command: str, stdin: str | None, stdout: str | None, mux: bool = False) -> Result:
                argv = ssh_base[:1] + (mux_opts if mux else []) + ssh_base[1:] + [command]
                return timed_run(argv, env, stdin, stdout)

            results: dict[str, dict[str, list[Result]]] = {"true": {}, "cat": {}}
            ours_reused("true", None, None)  # starts our master
            for run in range(args.runs):
                for name, client in (("ours", ours), ("reused", ours_reused), ("ssh", theirs)):
                    results["true"].setdefault(name, []).append(client("true", None, None))
                    result = client("cat", data, output)
                    size = os.path.getsize(output)
                    if size != args.mib << 20 or (run == 0 and sha256_file(output) != expected_sha):
                        raise RuntimeError(f"{name}: `cat` output differs from its input")
                    results["cat"].setdefault(name, []).append(result)

            theirs("true", None, None, mux=True)  # starts the master
            mux_true = [theirs("true", None, None, mux=True).wall for _ in range(args.runs)]
            subprocess.run(ssh_base[:1] + mux_opts + ["-O", "exit"] + ssh_base[1:], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
            split = [phases(binary, direct_env) for _ in range(args.runs)]
            stop_masters(root)

        print(f"dokploy-provider command vs OpenSSH ssh, median of {args.runs} alternating runs "
              f"(sshd on 127.0.0.1, {os.cpu_count()} CPUs)")
        print(f"{'scenario':<14}{'ours':>10}{'ssh':>10}{'ours/ssh':>10}{'ours CPU':>10}{'ssh CPU':>10}")
        for scenario, label in (("true", "command true"), ("cat", f"{args.mib} MiB cat")):
            ours_wall = statistics.median(r.wall for r in results[scenario]["ours"])
            ssh_wall = statistics.median(r.wall for r in results[scenario]["ssh"])
            ours_cpu = statistics.median(r.cpu for r in results[scenario]["ours"])
            ssh_cpu = statistics.median(r.cpu for r in results[scenario]["ssh"])
            print(f"{label:<14}{ours_wall * 1000:>8.0f}ms{ssh_wall * 1000:>8.0f}ms{ours_wall / ssh_wall:>10.2f}"
                  f"{ours_cpu * 1000:>8.0f}ms{ssh_cpu * 1000:>8.0f}ms")
        mux_wall = statistics.median(mux_true)
        for scenario, label, reference in (("true", "command true", mux_wall),
                                           ("cat", f"{args.mib} MiB cat", None)):
            reused_wall = statistics.median(r.wall for r in results[scenario]["reused"])
            ssh_wall = reference or statistics.median(r.wall for r in results[scenario]["ssh"])
            versus = "ssh over its ControlMaster" if reference else "ssh"
            print(f"{label}, ours over our shared connection: {reused_wall * 1000:.0f}ms, {versus} "
                  f"{ssh_wall * 1000:.0f}ms, ratio {reused_wall / ssh_wall:.2f}")
        mib_s = args.mib / statistics.median(r.wall for r in results["cat"]["ours"])
        print(f"ours throughput: {mib_s:.0f} MiB/s (direct), "
              f"{args.mib / statistics.median(r.wall for r in results['cat']['reused']):.0f} MiB/s (shared)")
        for scenario, label in (("true", "command true"), ("cat", f"{args.mib} MiB cat")):
            print(f"peak RSS, {label}: ours {max(r.maxrss_kib for r in results[scenario]['ours']) / 1024:.1f} MiB, "
                  f"ssh {max(r.maxrss_kib for r in results[scenario]['ssh']) / 1024:.1f} MiB")
        median = {key: statistics.median(p[key] for p in split) for key in split[0]}
        print(f"ours `command true` phases (median, --verbose): total {median['total']:.0f}ms = process start/exit "
              f"{median['process']:.0f} + handshake {median['handshake']:.0f} + channel open/exec "
              f"{median['channel']:.0f} + remote run/close {median['run+close']:.0f}")
        print(f"ssh `true` over an existing ControlMaster connection: {statistics.median(mux_true) * 1000:.0f}ms")
        return 0
    finally:
        stop_masters(root)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
