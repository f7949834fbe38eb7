#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make demo`: the whole machine lifecycle, as DevPod drives it, against the local Dokploy simulator.

Starts the simulator (127.0.0.1 only), runs init -> create -> status -> command -> stop -> status -> start ->
delete -> status with the built binary, shows what each step printed, and stops everything it started.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Simulator, free_port_range, provider_env  # noqa: E402

import subprocess  # noqa: E402

BOLD, DIM, GREEN, RED, RESET = "\033[1m", "\033[2m", "\033[32m", "\033[31m", "\033[0m"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", default="dist/dokploy-provider")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"{binary} is not built; run `make build` first", file=sys.stderr)
        return 2
    color = sys.stdout.isatty()
    paint = (lambda code, text: f"{code}{text}{RESET}") if color else (lambda code, text: text)

    folder = tempfile.mkdtemp(prefix="dokploy-demo-")
    machine = "demo-ws-1a2b3"
    low, high = free_port_range(5)
    try:
        with Simulator(token="demo-token-0123456789", deploy_seconds=1.0, verbose=False) as sim:
            print(paint(BOLD, f"Dokploy simulator on {sim.url}; machine {machine}; SSH ports {low}-{high}\n"))
            env = provider_env(sim, machine, os.path.join(folder, machine), DOKPLOY_SSH_PORT_RANGE=f"{low}-{high}",
                               DOKPLOY_CREATE_TIMEOUT="60s")
            env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
            steps = [
                ("init", {}, "check options, token and server"),
                ("create", {}, "create the compose service, deploy, wait for SSH"),
                ("status", {}, "DevPod reads one word"),
                ("command", {"COMMAND": "echo ping; uname -sm; echo \"hello from $(hostname)\""},
                 "run a command over the SSH tunnel"),
                ("stop", {}, "stop the workspace"),
                ("status", {}, ""),
                ("start", {}, "start it again and wait for SSH"),
                ("delete", {}, "delete the service and its volumes"),
                ("status", {}, ""),
            ]
            for verb, extra, what in steps:
                if what:
                    print(paint(DIM, f"# {what}"))
                print(paint(BOLD, f"$ dokploy-provider {verb}"))
                started = time.monotonic()
                result = subprocess.run([binary, verb], env={**env, **extra}, capture_output=True, timeout=120)
                for line in result.stderr.decode(errors="replace").splitlines():
                    print(paint(DIM, f"  stderr | {line}"))
                for line in result.stdout.decode(errors="replace").splitlines():
                    print(f"  stdout | {line}")
                mark = paint(GREEN, "ok") if result.returncode == 0 else paint(RED, f"exit {result.returncode}")
                print(f"  -> {mark} in {time.monotonic() - started:.1f}s\n")
                if result.returncode != 0:
                    return 1
            print(paint(BOLD, "Demo finished: every step succeeded."))
            return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
