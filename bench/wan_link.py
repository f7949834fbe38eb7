# SPDX-License-Identifier: MIT
"""A delayed, lossy link between two network namespaces, for bench/wan_bench.py (Linux, root, stdlib only).

    with WanLink(work_dir) as link:
        with link.server():  ... start servers on 127.0.0.1 ...
        link.set(rtt_ms=50, loss=0.01, seed=1)
        with link.client():  ... run clients: 127.0.0.1 is the server namespace, RTT_ms away ...
        link.stats()         # packets, bytes, drops and round trips ("flights") since the last call

This kernel has no sch_netem, so wan_link.c (compiled here with cc) forwards whole packets between two tun
devices after half the RTT each way, dropping a seeded random fraction. Only loopback addresses are used and
nothing leaves the machine: the server namespace keeps 127.0.0.1 on lo (and 127.1.0.2 on its tun); the client
namespace has no 127.0.0.1 of its own, 127.1.0.1 on its tun and a route sending 127.0.0.1 through it (with
route_localnet, which lets 127/8 addresses cross a non-loopback device). Clients therefore connect to
127.0.0.1, exactly as in the loopback tests, and every server started in the server namespace on 127.0.0.1
(sshd, the simulator, the sshds the simulator starts) is reached through the link.

This process switches its own (main thread's) network namespace with setns(2) for the `with` blocks, so that
children inherit it without an `ip netns exec` in front of the timed command. Everything is undone on exit, also
after an exception or Ctrl-C: the forwarder is stopped by PID and both namespaces are deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import subprocess

IP = "/usr/sbin/ip"
CLONE_NEWNET = 0x40000000
CLIENT_ADDRESS = "127.1.0.1"
SERVER_ADDRESS = "127.1.0.2"
HERE = os.path.dirname(os.path.abspath(__file__))

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


def _ip(*args: str) -> None:
    done = subprocess.run([IP, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def _sysctl(namespace: str, settings: dict[str, str]) -> None:
    argv = [IP, "netns", "exec", namespace, "sysctl", "-qw"] + [f"{k}={v}" for k, v in settings.items()]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"sysctl in {namespace}: {done.stderr.strip()}")


def compile_forwarder(out_dir: str) -> str:
    """Compiles wan_link.c into out_dir with cc -O2; returns the executable's path."""
    binary = os.path.join(out_dir, "wan_link")
    subprocess.run(["cc", "-O2", "-Wall", "-o", binary, os.path.join(HERE, "wan_link.c")], check=True)
    return binary


class WanLink:
    """Two namespaces joined by wan_link; a context manager (set up on enter, torn down on exit)."""

    def __init__(self, work_dir: str, mtu: int = 1500):
        tag = f"{os.getpid() % 100000}"
        self.client_ns, self.server_ns = f"dpwan-c-{tag}", f"dpwan-s-{tag}"
        self.client_tun, self.server_tun = f"dpwc{tag}", f"dpws{tag}"
        self.work_dir = work_dir
        self.mtu = mtu
        self.forwarder: subprocess.Popen | None = None
        self._namespaces: list[str] = []
        self._home_fd: int | None = None

    def __enter__(self) -> "WanLink":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self._home_fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        binary = compile_forwarder(self.work_dir)
        self.forwarder = subprocess.Popen([binary, self.client_tun, self.server_tun], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True, bufsize=1)
        if self.forwarder.stdout.readline().strip() != "ready":
            raise RuntimeError("wan_link did not start")
        for namespace in (self.client_ns, self.server_ns):
            _ip("netns", "add", namespace)
            self._namespaces.append(namespace)
            _sysctl(namespace, {"net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1",
                                "net.ipv4.conf.all.route_localnet": "1", "net.ipv4.conf.all.rp_filter": "0",
                                "net.ipv4.conf.default.rp_filter": "0"})
            _ip("-n", namespace, "link", "set", "lo", "up")
        # 127.0.0.1/8 on lo would make every 127/8 address local: keep only 127.0.0.1 (server) or none (client).
        _ip("-n", self.client_ns, "addr", "del", "127.0.0.1/8", "dev", "lo")
        _ip("-n", self.server_ns, "addr", "del", "127.0.0.1/8", "dev", "lo")
        _ip("-n", self.server_ns, "addr", "add", "127.0.0.1/32", "dev", "lo")
        for namespace, tun, address in ((self.client_ns, self.client_tun, CLIENT_ADDRESS),
                                        (self.server_ns, self.server_tun, SERVER_ADDRESS)):
            _ip("link", "set", tun, "netns", namespace)
            _ip("-n", namespace, "addr", "add", f"{address}/32", "dev", tun)
            _ip("-n", namespace, "link", "set", tun, "mtu", str(self.mtu), "txqueuelen", "10000", "up")
            _sysctl(namespace, {f"net.ipv4.conf.{tun}.route_localnet": "1", f"net.ipv4.conf.{tun}.rp_filter": "0"})
        _ip("-n", self.client_ns, "route", "add", "127.0.0.1/32", "dev", self.client_tun, "src", CLIENT_ADDRESS)
        _ip("-n", self.server_ns, "route", "add", f"{CLIENT_ADDRESS}/32", "dev", self.server_tun, "src", "127.0.0.1")
        self.set(0, 0.0)

    def stop(self) -> None:
        if self._home_fd is not None:
            _setns(self._home_fd)
        if self.forwarder is not None:
            if self.forwarder.poll() is None:
                self.forwarder.kill()
            self.forwarder.wait(timeout=5)
            self.forwarder = None
        for namespace in self._namespaces:
            subprocess.run([IP, "netns", "del", namespace], capture_output=True)
        self._namespaces = []
        if self._home_fd is not None:
            os.close(self._home_fd)
            self._home_fd = None

    def _ask(self, line: str) -> str:
        assert self.forwarder is not None
        self.forwarder.stdin.write(line + "\n")
        self.forwarder.stdin.flush()
        answer = self.forwarder.stdout.readline()
        if not answer:
            raise RuntimeError("wan_link exited")
        return answer.strip()

    def set(self, rtt_ms: float, loss: float, seed: int = 1) -> None:
        """RTT (half each way) and the fraction of packets dropped (each way), from now on."""
        if self._ask(f"set {round(rtt_ms * 1000)} {round(loss * 1_000_000)} {seed}") != "ok":
            raise RuntimeError("wan_link refused the settings")

    def stats(self) -> dict:
        """Counters since the previous call: c2s_/s2c_packets and _bytes, dropped, overflow, flights."""
        return json.loads(self._ask("stats"))

    def forwarder_cpu_seconds(self) -> float:
        """User + system CPU time of the forwarder so far."""
        assert self.forwarder is not None
        with open(f"/proc/{self.forwarder.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @contextlib.contextmanager
    def _inside(self, namespace: str):
        previous = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        fd = os.open(f"/run/netns/{namespace}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(fd)
            yield
        finally:
            os.close(fd)
            _setns(previous)
            os.close(previous)

    def client(self):
        """A `with` block whose children (and sockets) live in the client namespace; blocks nest."""
        return self._inside(self.client_ns)

    def server(self):
        """A `with` block whose children (and sockets) live in the server namespace."""
        return self._inside(self.server_ns)
