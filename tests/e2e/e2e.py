#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`make e2e`: the provider against the real peers in ../shared/peers/ (README.md, "End-to-end lanes").

1. Finds the peers: the real Dokploy server (peers/dokploy: set-up and run scripts, a docker shim that starts a
   real sshd per compose file) and the real DevPod CLI (peers/devpod). A missing peer, or not being root (the
   peer runs Dokploy in a network namespace), fails the run under CI=true and skips it elsewhere, with one line.
2. Prepares them: Dokploy's set-up (cached in build/e2e/), then its start in a loopback-only network
   namespace; DevPod unpacked.
3. Runs the lanes inside that namespace (tests/e2e/test_*.py): the provider alone against real Dokploy, and the
   real DevPod CLI driving the provider against the project's simulator and against real Dokploy.
4. Stops what it started, by PID, and prints every step's time.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEVPOD_ARCHIVE_GLOB = "devpod-v"


class Skip(Exception):
    """A peer or a privilege is missing: a skip outside CI, a failure in CI."""


def log(message: str) -> None:
    print(f"[e2e] {message}", file=sys.stderr, flush=True)


def find_peers(peers_dir: str) -> tuple[str, str]:
    dokploy = os.path.join(peers_dir, "dokploy")
    missing = [name for name in ("setup.sh", "run.sh", "docker-shim/docker")
               if not os.path.isfile(os.path.join(dokploy, name))]
    if missing:
        raise Skip(f"the real Dokploy peer is missing ({', '.join(missing)} not in {dokploy})")
    devpod_dir = os.path.join(peers_dir, "devpod")
    archives = sorted(f for f in os.listdir(devpod_dir) if f.startswith(DEVPOD_ARCHIVE_GLOB) and f.endswith(".xz")) \
        if os.path.isdir(devpod_dir) else []
    if not archives:
        raise Skip(f"the real DevPod CLI peer is missing (no devpod-v*.xz in {devpod_dir})")
    return dokploy, os.path.join(devpod_dir, archives[-1])


def unpack_devpod(archive: str, cache: str) -> str:
    """The DevPod binary from its .xz, unpacked once per archive content."""
    with open(archive, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()[:16]
    target = os.path.join(cache, f"devpod-{digest}")
    if not os.access(target, os.X_OK):
        os.makedirs(cache, exist_ok=True)
        partial = target + ".partial"
        with lzma.open(archive) as source, open(partial, "wb") as sink:
            shutil.copyfileobj(source, sink)
        os.chmod(partial, 0o755)
        os.replace(partial, target)
    return target


def timed(timings: list, name: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    log(f"{name}: {' '.join(command)}")
    start = time.monotonic()
    result = subprocess.run(command, **kwargs)
    timings.append({"lane": "setup", "step": name, "seconds": round(time.monotonic() - start, 1)})
    if result.returncode != 0:
        output = (result.stdout or b"")[-4000:].decode(errors="replace") if kwargs.get("capture_output") else ""
        raise RuntimeError(f"{name} failed with exit {result.returncode}\n{output}")
    return result


def print_timings(path: str, setup: list) -> None:
    rows = list(setup)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            rows += [json.loads(line) for line in file if line.strip()]
    log("step timings:")
    for row in rows:
        outcome = "" if row.get("ok", True) else "  FAILED"
        print(f"  {row['lane']:<22} {row['step']:<58} {row['seconds']:>7.1f} s{outcome}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the provider binary to test")
    parser.add_argument("--peers", default=os.environ.get("E2E_PEERS") or os.path.join(ROOT, "..", "shared", "peers"))
    parser.add_argument("--work", default=os.environ.get("E2E_WORK") or os.path.join(ROOT, "build", "e2e"),
                        help="cache of Dokploy's set-up and DevPod (kept between runs)")
    parser.add_argument("--lanes", nargs="*", default=["test_real_dokploy", "test_devpod_cli"])
    args = parser.parse_args()
    in_ci = os.environ.get("CI", "").lower() == "true"
    started = time.monotonic()
    try:
        if os.geteuid() != 0:
            raise Skip("not root (the Dokploy peer runs in a network namespace)")
        dokploy_peer, devpod_archive = find_peers(os.path.abspath(args.peers))
    except Skip as missing:
        if in_ci:
            log(f"FAILED: {missing}; CI=true needs every peer")
            return 1
        log(f"skipped: {missing}")
        return 0

    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    dokploy_work = os.path.join(work, "rd-dokploy")
    scratch = tempfile.mkdtemp(prefix="dp-e2e-")
    timings_file = os.path.join(scratch, "timings.jsonl")
    setup_timings: list = []
    run_sh = os.path.join(dokploy_peer, "run.sh")
    started_dokploy = False
    try:
        devpod = unpack_devpod(devpod_archive, os.path.join(work, "devpod"))
        timed(setup_timings, "Dokploy set-up (setup.sh)", [os.path.join(dokploy_peer, "setup.sh"), dokploy_work],
              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        started_dokploy = True
        timed(setup_timings, "Dokploy start (run.sh)", [run_sh, dokploy_work], capture_output=True)
        # The provider's path has a space, like a checkout under "My Projects" or a Windows user name.
        binary_dir = os.path.join(scratch, "provider bin")
        os.makedirs(binary_dir)
        binary = os.path.join(binary_dir, "dokploy-provider")
        shutil.copy2(os.path.abspath(args.binary), binary)
        run_dir = os.path.join(dokploy_work, "run")
        with open(os.path.join(run_dir, "token"), encoding="utf-8") as file:
            token = file.read().strip()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "E2E_BINARY": binary, "E2E_DEVPOD": devpod,
               "E2E_DOKPLOY_URL": "http://127.0.0.1:3001", "E2E_DOKPLOY_TOKEN": token,
               "E2E_DOKPLOY_RUN": run_dir, "E2E_SCRATCH": scratch, "E2E_TIMINGS": timings_file,
               "E2E_ROOT": ROOT}
        lanes = subprocess.run([os.path.join(run_dir, "in-netns"), sys.executable, "-m", "unittest", "-v",
                                *args.lanes], cwd=HERE, env=env)
        print_timings(timings_file, setup_timings)
        log(f"{'passed' if lanes.returncode == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
        return lanes.returncode
    except (RuntimeError, OSError) as error:
        print_timings(timings_file, setup_timings)
        log(f"FAILED: {error}")
        return 1
    finally:
        if started_dokploy:
            subprocess.run([run_sh, dokploy_work, "stop"], stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
