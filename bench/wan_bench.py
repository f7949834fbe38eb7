# SPDX-License-Identifier: MIT
"""WAN benchmark: dokploy-provider against OpenSSH over a delayed (and lossy) link. Linux, root.

    /usr/bin/python3 bench/wan_bench.py --binary dist/dokploy-provider [--runs 5] [--quick]

Servers (a throwaway sshd, the Dokploy simulator over HTTPS) run in one network namespace, clients (the
provider, `ssh`) in another, joined by bench/wan_link.c: every packet waits RTT/2 each way, and with --loss
a seeded 1% is dropped each way. Only loopback addresses are used (bench/wan_link.py explains how).

Measured, interleaved (ours, reference, ours, ...), medians:
  latency     `command true` at each --rtts: the provider's first call in a fresh MACHINE_FOLDER ("cold") against
              plain `ssh`, and a later call in a MACHINE_FOLDER that has run one command before ("later"; with
              connection reuse this goes over the provider's master connection) against `ssh` over a warm
              ControlMaster. Any process the provider leaves behind is killed by PID after the runs and listed.
  throughput  --mib MiB of random data down through `command` (remote `cat` of a file, output checked) against
              `ssh` pinned to the cipher and key exchange the provider negotiates; on plain loopback (no link),
              through the link at 0 ms, at 50 ms, and at 50 ms with 1% loss; the provider cold each time.
  api         create, status, stop, status, start, delete over HTTPS at 0 ms and at --api-rtt (50 ms): wall time,
              HTTP requests (the simulator's request log) and round trips; also the first machine's `create` (it
              makes the project) and `create` with 20 other compose services in the project (the rounds' see none).

Round trips, two ways: "waited" is (wall time at the RTT - wall time at 0 ms) / RTT, every wait a user feels
(request/response turns, but also Nagle's algorithm waiting for an ACK, slow start on a large answer, polling);
"flights" are counted by the forwarder: a client->server packet carrying data (or a SYN) sent after data from the
server had arrived since the previous flight. Pure ACKs do not count; a closing message the client does not wait
for does. Prints Markdown tables and which goals of issue #12 the run meets.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import re
import shutil
import socket
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from harness import Simulator, free_port_range  # noqa: E402
from pki import make_pki  # noqa: E402
from sshd_fixture import Sshd, client_public_key, kill_pids, make_machine_folder  # noqa: E402
from wan_link import WanLink  # noqa: E402

SSH = "/usr/bin/ssh"
TOKEN = "wan-bench-token"
RUN_TIMEOUT = 900.0
# libssh's debug line (in the provider's --verbose log): kex, host key, cipher c->s, cipher s->c, MACs, ...
NEGOTIATED = re.compile(r"ssh_kex_select_methods: Negotiated ([^,\s]+),([^,\s]+),([^,\s]+),([^,\s]+)")


@dataclass
class Sample:
    wall: float
    flights: int
    dropped: int = 0
    requests: int = 0


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def flights(self) -> float:
        return statistics.median(s.flights for s in self.samples)

    @property
    def requests(self) -> float:
        return statistics.median(s.requests for s in self.samples)


def run(argv: list[str], env: dict, stdin_path: str | None = None, stdout_path: str | None = None) -> float:
    """Runs argv to completion; returns its wall time in seconds; raises RuntimeError when it fails."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                              timeout=RUN_TIMEOUT)
        wall = time.perf_counter() - start
    finally:
        for stream in (stdin, stdout):
            if hasattr(stream, "close"):
                stream.close()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:2])} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-800:]}")
    return wall


def processes_using(root: str, unix_tables: list[str]) -> list[int]:
    """PIDs (not this process) whose command line, MACHINE_FOLDER, working directory or open files (Unix
    sockets included, by the paths in unix_tables: /proc/.../net/unix texts) are under root."""
    prefix = root.rstrip("/") + "/"
    socket_inodes = set()
    for table in unix_tables:
        for line in table.splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 8 and parts[7].startswith(prefix):
                socket_inodes.add(parts[6])
    mentioned = re.compile(re.escape(prefix[:-1]) + "(/|$)")

    def under(path: str) -> bool:
        return (path + "/").startswith(prefix)

    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        base = f"/proc/{entry}"
        try:
            with open(f"{base}/cmdline", "rb") as f:
                hit = any(mentioned.search(arg) for arg in f.read().decode(errors="replace").split("\0"))
            with open(f"{base}/environ", "rb") as f:
                variables = f.read().decode(errors="replace").split("\0")
            hit = hit or any(v.startswith("MACHINE_FOLDER=") and under(v[15:]) for v in variables)
            hit = hit or under(os.readlink(f"{base}/cwd"))
            for fd in os.listdir(f"{base}/fd"):
                if hit:
                    break
                target = os.readlink(f"{base}/fd/{fd}")
                hit = under(target) or (target.startswith("socket:[") and target[8:-1] in socket_inodes)
        except OSError:
            continue
        if hit:
            found.append(int(entry))
    return found


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Bench:
    """Owns the folders and the clients; each measure_* appends a Markdown table to self.lines."""

    def __init__(self, args, link: WanLink, sshd: Sshd, root: str):
        self.args, self.link, self.sshd, self.root = args, link, sshd, root
        self.binary = os.path.abspath(args.binary)
        # Every MACHINE_FOLDER lives under machines/ (what the final sweep looks for), OpenSSH's files under ssh/.
        self.machines = _mkdir(os.path.join(root, "machines"))
        self.ssh_dir = _mkdir(os.path.join(root, "ssh"))
        self.template = make_machine_folder(os.path.join(root, "template"), sshd.port, sshd.host_key + ".pub")
        sshd.authorize(client_public_key(self.template))
        self.known_hosts = os.path.join(self.ssh_dir, "known_hosts")
        with open(sshd.host_key + ".pub", encoding="ascii") as pub, open(self.known_hosts, "w") as out:
            out.write(f"[127.0.0.1]:{sshd.port} {pub.read().strip()}\n")
        self.base_env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
        self.control = os.path.join(self.ssh_dir, "mux.sock")
        self.folder_count = 0
        self.killed: list[str] = []
        self.algorithms: dict[str, str] = {}
        self.lines: list[str] = []
        self.goals: list[str] = []

    def goal(self, what: str, value: float, limit: float, unit: str = "") -> None:
        self.goals.append(f"- {what}: {value:.2f}{unit} (goal <= {limit:g}{unit}): "
                          f"{'met' if value <= limit else 'NOT met'}")

    # -- clients ------------------------------------------------------------------------------------------
    def fresh_folder(self) -> str:
        self.folder_count += 1
        folder = os.path.join(self.machines, f"m{self.folder_count}")
        shutil.copytree(self.template, folder)
        return folder

    def ssh_argv(self, command: str, mux: bool = False) -> list[str]:
        argv = [SSH, "-F", "/dev/null", "-i", os.path.join(self.template, "id_ed25519"),
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-p", str(self.sshd.port)]
        if "cipher" in self.algorithms:
            argv += ["-c", self.algorithms["cipher"]]
        if "kex" in self.algorithms:
            argv += ["-o", f"KexAlgorithms={self.algorithms['kex']}"]
        if mux:
            argv += ["-o", "ControlMaster=auto", "-o", f"ControlPath={self.control}", "-o", "ControlPersist=600"]
        return argv + [f"{getpass.getuser()}@127.0.0.1", command]

    def ours(self, folder: str, command: str, stdout: str | None = None) -> float:
        env = dict(self.base_env, MACHINE_FOLDER=folder, COMMAND=command)
        return run([self.binary, "command"], env, None, stdout)

    def theirs(self, command: str, mux: bool = False, stdout: str | None = None) -> float:
        return run(self.ssh_argv(command, mux), self.base_env, None, stdout)

    def measured(self, action) -> Sample:
        """Runs action() (returning wall seconds) between two forwarder counter reads."""
        self.link.stats()
        wall = action()
        counters = self.link.stats()
        return Sample(wall, counters["flights"], counters["dropped"])

    def reap(self, folder: str, what: str) -> None:
        """Kills (by PID) what is left running for folder, and notes it for the report."""
        with self.link.client():
            with open("/proc/thread-self/net/unix", encoding="utf-8") as f:
                client_unix = f.read()
        with open("/proc/thread-self/net/unix", encoding="utf-8") as f:
            home_unix = f.read()
        pids = processes_using(folder, [client_unix, home_unix])
        if pids:
            names = []
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        program = f.read().split(b"\0")[0].decode(errors="replace")
                    names.append(f"{pid} ({program})")
                except OSError:
                    names.append(str(pid))
            kill_pids(pids)
            self.killed.append(f"{what}: {', '.join(names)}")

    # -- measurements -------------------------------------------------------------------------------------
    def detect_algorithms(self) -> None:
        """Cipher and key exchange of the provider's session (from --verbose), to pin `ssh` to them."""
        folder = self.fresh_folder()
        env = dict(self.base_env, MACHINE_FOLDER=folder, COMMAND="true")
        with self.link.client():
            done = subprocess.run([self.binary, "--verbose", "command"], env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=60)
        # With connection reuse the handshake happens in the machine's master, which logs to its own file.
        log = os.path.join(folder, "ssh-master.log")
        master_log = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
        self.reap(folder, "algorithm probe")
        match = NEGOTIATED.search(done.stderr.decode(errors="replace") + master_log)
        if match:
            self.algorithms = {"kex": match.group(1), "cipher": match.group(4)}
        self.algorithms.update({k: v for k, v in (("kex", self.args.kex), ("cipher", self.args.cipher)) if v})

    def link_check(self) -> float:
        """Median TCP connect time to sshd from the client namespace (one round trip), in ms."""
        times = []
        with self.link.client():
            for _ in range(3):
                start = time.perf_counter()
                with socket.create_connection(("127.0.0.1", self.sshd.port), timeout=10):
                    times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def measure_latency(self) -> None:
        rows = []
        warm = self.fresh_folder()
        for rtt in self.args.rtts:
            self.link.set(rtt, 0.0)
            connect_ms = self.link_check()
            series = {name: Series() for name in ("cold", "ssh", "later", "mux")}
            with self.link.client():
                self.ours(warm, "true")  # the call that leaves a master behind, if the provider does
                self.theirs("true", mux=True)  # starts OpenSSH's master
                for _ in range(self.args.runs):
                    cold = self.fresh_folder()
                    series["cold"].add(self.measured(lambda: self.ours(cold, "true")))
                    self.reap(cold, f"cold `command true` at {rtt:g} ms")
                    series["ssh"].add(self.measured(lambda: self.theirs("true")))
                    series["later"].add(self.measured(lambda: self.ours(warm, "true")))
                    series["mux"].add(self.measured(lambda: self.theirs("true", mux=True)))
            rows.append((rtt, connect_ms, series))
            if rtt == 50:
                self.goal("`command true` at 50 ms, ours later call / ssh warm ControlMaster",
                          series["later"].wall / series["mux"].wall, 1.1)
        with self.link.client():
            subprocess.run(self.ssh_argv("", mux=True)[:-1] + ["-O", "exit"], env=self.base_env,
                           capture_output=True, timeout=30)
        self.reap(warm, "later `command true` (after every RTT)")

        zero = next((s for rtt, _, s in rows if rtt == 0), None)

        def cell(name: str, rtt: float, s: dict) -> str:
            text = f"{s[name].wall * 1000:.0f} ms"
            if zero is not None and rtt > 0:
                text += f", {(s[name].wall - zero[name].wall) * 1000 / rtt:.1f} rt"
            return text + f" ({s[name].flights:g} fl)"

        out = self.lines
        out.append(f"### `command true` (median of {self.args.runs} interleaved runs; rt = round trips waited, "
                   "(wall - wall at 0 ms) / RTT; fl = flights counted at the link)\n")
        out.append("| RTT (TCP connect) | ours, first call | `ssh` | ratio | ours, later call | `ssh`, warm "
                   "ControlMaster | ratio |")
        out.append("|---|---|---|---|---|---|---|")
        for rtt, connect_ms, s in rows:
            out.append(f"| {rtt:g} ms ({connect_ms:.1f} ms) | {cell('cold', rtt, s)} | {cell('ssh', rtt, s)} | "
                       f"{ratio(s['cold'], s['ssh'])} | {cell('later', rtt, s)} | {cell('mux', rtt, s)} | "
                       f"{ratio(s['later'], s['mux'], 1.1)} |")
        out.append("")

    def measure_throughput(self) -> None:
        data = os.path.join(self.root, "data.bin")
        with open(data, "wb") as out:
            for _ in range(self.args.mib):
                out.write(os.urandom(1 << 20))
        expected = sha256_file(data)
        output = os.path.join(self.root, "out.bin")
        command = f"cat {data}"
        conditions = [("loopback, no link", None, 0.0), ("link, 0 ms", 0, 0.0), ("50 ms", 50, 0.0),
                      (f"50 ms, {self.args.loss:.0%} loss", 50, self.args.loss)]
        rows = []
        for label, rtt, loss in conditions:
            series = {"ours": Series(), "ssh": Series()}
            drops = []
            cpu_before = self.link.forwarder_cpu_seconds()
            busy = 0.0
            for index in range(self.args.tp_runs):
                for name in ("ours", "ssh"):
                    self.link.set(rtt or 0, loss, seed=index + 1)
                    if rtt is None:  # plain loopback inside the server namespace
                        namespace = self.link.server()
                    else:
                        namespace = self.link.client()
                    folder = self.fresh_folder()
                    with namespace:
                        if name == "ours":
                            sample = self.measured(lambda: self.ours(folder, command, output))
                        else:
                            sample = self.measured(lambda: self.theirs(command, stdout=output))
                    self.reap(folder, f"throughput, {label}")
                    drops.append(sample.dropped)
                    busy += sample.wall
                    wrong_size = os.path.getsize(output) != self.args.mib << 20
                    if wrong_size or (index == 0 and sha256_file(output) != expected):
                        raise RuntimeError(f"{name}, {label}: the output differs from the remote file")
                    series[name].add(sample)
            fwd_cpu = (self.link.forwarder_cpu_seconds() - cpu_before) / busy if rtt is not None else None
            rows.append((label, series, fwd_cpu, statistics.median(drops)))
            if rtt == 50:
                self.goal(f"{self.args.mib} MiB down at {label}, ours / ssh",
                          series["ours"].wall / series["ssh"].wall, 1.0)
        os.unlink(data)
        os.unlink(output)

        cipher = self.algorithms.get("cipher", "OpenSSH's default")
        out = self.lines
        out.append(f"### {self.args.mib} MiB down through `command` (remote `cat`; median of {self.args.tp_runs}; "
                   f"`ssh -c {cipher}`)\n")
        out.append("| link | ours | `ssh`, same cipher | ratio | ours MiB/s | packets dropped | forwarder CPU |")
        out.append("|---|---|---|---|---|---|---|")
        for label, s, fwd_cpu, dropped in rows:
            cpu = "-" if fwd_cpu is None else f"{fwd_cpu:.0%}"
            out.append(f"| {label} | {s['ours'].wall:.2f} s | {s['ssh'].wall:.2f} s | "
                       f"{ratio(s['ours'], s['ssh'], 1.0)} | {self.args.mib / s['ours'].wall:.0f} | {dropped:g} | "
                       f"{cpu} |")
        out.append("")

    def measure_api(self, rtt: float) -> None:
        """Each round runs create, status, stop, status, start, delete at 0 ms and then at rtt: the difference
        of the wall times, divided by the RTT, is the number of round trips waited for."""
        with self.link.server():
            pki = make_pki(_mkdir(os.path.join(self.root, "pki")))
            sim = Simulator(token=TOKEN, tls_cert=pki.server_a.cert, tls_key=pki.server_a.key,
                            deploy_seconds=0.2, verbose=False).start()
            low, high = free_port_range(4 * self.args.api_runs + 8)
        links = (0.0, rtt)
        steps = (("create", "create"), ("status", "status"), ("stop", "stop"), ("status, stopped", "status"),
                 ("start", "start"), ("delete", "delete"))
        first_label = "create, the first machine (makes the project)"
        crowded_label = "create, 20 other compose services in the project"
        series: dict[tuple[str, float], Series] = {}
        try:
            def env(machine: str) -> dict:
                return dict(self.base_env, DOKPLOY_SERVER_URL=sim.url, DOKPLOY_API_TOKEN=TOKEN,
                            DOKPLOY_CA_FILE=pki.ca_a, MACHINE_ID=machine,
                            MACHINE_FOLDER=_mkdir(os.path.join(self.machines, "api", machine)),
                            DOKPLOY_SSH_PORT_RANGE=f"{low}-{high}", DOKPLOY_CREATE_TIMEOUT="120s")

            def step(subcommand: str, machine: str, link_rtt: float, label: str | None = None) -> None:
                self.link.set(link_rtt, 0.0)
                with self.link.server():
                    sim.clear_requests()
                with self.link.client():
                    sample = self.measured(lambda: run([self.binary, subcommand], env(machine)))
                with self.link.server():
                    sample.requests = len(sim.requests())
                if label is not None:
                    series.setdefault((label, link_rtt), Series()).add(sample)

            def done_with(machine: str) -> None:
                self.reap(os.path.join(self.machines, "api", machine), f"api, {machine}")

            # The first machine also makes the project and its environment: its own row (one run per link, the
            # project deleted by hand in between), then every round runs with them in place.
            for link_rtt in links:
                step("create", f"first-{link_rtt:g}", link_rtt, first_label)
                step("delete", f"first-{link_rtt:g}", 0.0)
                done_with(f"first-{link_rtt:g}")
                with self.link.server():
                    for project_id in sim.state().get("projects", {}):
                        sim.api("project.remove", body={"projectId": project_id})
            for index in range(self.args.api_runs):
                for link_rtt in links:
                    machine = f"wan-{link_rtt:g}-{index}"
                    for label, subcommand in steps:
                        step(subcommand, machine, link_rtt, label)
                    done_with(machine)

            # create with 20 other compose services in the project: one more machine and 19 composes added
            # straight into the simulator (the rounds above deleted their machines: their creates saw none).
            step("create", "anchor", 0.0)
            with open(os.path.join(self.machines, "api", "anchor", "dokploy-machine.json"), encoding="utf-8") as f:
                environment_id = json.load(f)["environmentId"]
            with self.link.server():
                for k in range(19):
                    sim.api("compose.create", body={"name": f"other-{k}", "environmentId": environment_id})
            for link_rtt in links:
                step("create", f"crowded-{link_rtt:g}", link_rtt, crowded_label)
                step("delete", f"crowded-{link_rtt:g}", 0.0)
                done_with(f"crowded-{link_rtt:g}")
            step("delete", "anchor", 0.0)
            done_with("anchor")
        finally:
            with self.link.server():
                sim.stop()

        out = self.lines
        out.append(f"### API subcommands over HTTPS (median of {self.args.api_runs} rounds; one run for the first "
                   "and the crowded create)\n")
        out.append(f"| subcommand | wall, 0 ms | wall, {rtt:g} ms | HTTP requests | round trips waited: (wall at "
                   f"{rtt:g} ms - wall at 0 ms) / RTT | flights counted at the link |")
        out.append("|---|---|---|---|---|---|")
        base_requests = series[("create", rtt)].requests
        for label in [first_label] + [label for label, _ in steps] + [crowded_label]:
            zero, far = series[(label, 0.0)], series[(label, rtt)]
            waited = (far.wall - zero.wall) * 1000 / rtt
            requests = f"{far.requests:g}"
            if label == crowded_label:
                requests += f" ({far.requests - base_requests:+g})"
            head, _, rest = label.partition(", ")
            name = f"`{head}`" + (f", {rest}" if rest else "")
            out.append(f"| {name} | {zero.wall * 1000:.0f} ms | {far.wall * 1000:.0f} ms | {requests} | "
                       f"{waited:.1f} | {far.flights:g} |")
            if label == "status":
                self.goal(f"`status` over HTTPS at {rtt:g} ms, round trips waited", waited, 4)
        self.goal("`create` with 20 other services, additional requests",
                  series[(crowded_label, rtt)].requests - base_requests, 2)
        out.append("")


def ratio(ours: Series, reference: Series, goal: float | None = None) -> str:
    value = ours.wall / reference.wall
    if goal is None:
        return f"{value:.2f}"
    return f"**{value:.2f}** ({'meets' if value <= goal else 'misses'} <= {goal:g})"


def _mkdir(path: str) -> str:
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.environ.get("DOKPLOY_PROVIDER_BIN"),
                        help="the dokploy-provider binary (default: $DOKPLOY_PROVIDER_BIN)")
    parser.add_argument("--runs", type=int, default=5, help="`command true` runs per RTT and client (default 5)")
    parser.add_argument("--tp-runs", type=int, default=3, help="throughput runs per link and client (default 3)")
    parser.add_argument("--api-runs", type=int, default=3, help="create/status/stop/start/delete rounds (default 3)")
    parser.add_argument("--rtts", default="0,20,50,100", help="RTTs in ms for `command true` (default 0,20,50,100)")
    parser.add_argument("--api-rtt", type=float, default=50, help="RTT in ms for the API subcommands (default 50)")
    parser.add_argument("--mib", type=int, default=64, help="MiB for the throughput runs (default 64)")
    parser.add_argument("--loss", type=float, default=0.01, help="loss fraction each way (default 0.01)")
    parser.add_argument("--mtu", type=int, default=1500, help="MTU of the link (default 1500)")
    parser.add_argument("--cipher", help="pin `ssh` to this cipher (default: the provider's, from --verbose)")
    parser.add_argument("--kex", help="pin `ssh` to this key exchange (default: the provider's, from --verbose)")
    parser.add_argument("--only", default="latency,throughput,api", help="which parts (default: all three)")
    parser.add_argument("--quick", action="store_true", help="2/1/1 runs: a smoke run, not a measurement")
    args = parser.parse_args()
    if not args.binary or not os.access(args.binary, os.X_OK):
        parser.error("--binary must name the built dokploy-provider")
    if os.geteuid() != 0:
        parser.error("needs root (network namespaces and tun devices)")
    if args.quick:
        args.runs, args.tp_runs, args.api_runs = 2, 1, 1
    args.rtts = [float(x) for x in args.rtts.split(",")]
    args.only = set(args.only.split(","))
    return args


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    version = subprocess.run([os.path.abspath(args.binary), "version"], capture_output=True,
                             text=True).stdout.split("\n")[0]
    root = tempfile.mkdtemp(prefix="dp-wan-")
    os.chmod(root, 0o755)
    started = time.monotonic()
    bench = None
    try:
        with WanLink(root, mtu=args.mtu) as link:
            sshd = Sshd()
            try:
                with link.server():
                    sshd.start()
                bench = Bench(args, link, sshd, root)
                bench.detect_algorithms()
                if "latency" in args.only:
                    bench.measure_latency()
                if "throughput" in args.only:
                    bench.measure_throughput()
                if "api" in args.only:
                    bench.measure_api(args.api_rtt)
            finally:
                sshd.stop()
                if bench is not None:
                    bench.reap(bench.machines, "final sweep")
                    bench.reap(bench.ssh_dir, "final sweep (OpenSSH)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"## WAN benchmark: {version} (tree {commit}), {os.cpu_count()} CPUs, MTU {args.mtu}, "
          f"{time.monotonic() - started:.0f} s\n")
    if bench.algorithms:
        algorithms = ", ".join(f"{k} {v}" for k, v in bench.algorithms.items())
        print(f"The provider's session: {algorithms}; `ssh` is pinned to the same.\n")
    else:
        print("WARNING: the provider's --verbose log did not show its cipher: `ssh` used its defaults "
              "(pin it with --cipher and --kex).\n")
    print("\n".join(bench.lines))
    print("Goals of issue #12 in this run:\n" + "\n".join(bench.goals) + "\n")
    print("Left running by the provider and killed by the benchmark: "
          + ("; ".join(bench.killed) if bench.killed else "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
