# SPDX-License-Identifier: MIT
"""The containers `docker ps -a` would list for the simulated compose projects.

One container per compose service that was ever brought up, named `<appName>-<service>-1` like Docker Compose
names them; it stays listed (exited) after a stop or after its main process ended, until the project is
taken down (compose.delete). docker.getContainersByAppNameMatch answers from here.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Container:
    project: str  # the compose appName (label com.docker.compose.project)
    service: str
    container_id: str
    state: str  # running | exited | created
    since: float  # when it started (running) or ended (exited) or was created
    exit_code: int = 0
    log: list = field(default_factory=list)  # what `docker logs` would print, line by line

    @property
    def name(self) -> str:
        return f"{self.project}-{self.service}-1"

    def to_json(self, now: float) -> dict:
        """Dokploy's item: {containerId, name, state, status} with Docker's status text."""
        age = human_duration(now - self.since)
        status = {"running": f"Up {age}", "exited": f"Exited ({self.exit_code}) {age} ago"}.get(
            self.state, "Created")
        return {"containerId": self.container_id, "name": self.name, "state": self.state, "status": status}


class ContainerBook:
    """Container records keyed by (project, service); thread-safe."""

    def __init__(self, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._containers: dict[tuple[str, str], Container] = {}

    def up(self, project: str, services: list[str], state: str = "running", log: list[str] = ()) -> None:
        """`docker compose up` of these services: each (re)started, or left `created` when it failed; `log`
        is what each container prints on this start."""
        with self._lock:
            now = self._clock()
            for service in services:
                container = self._containers.get((project, service))
                if container is None:
                    container = Container(project, service, secrets.token_hex(6), state, now)
                    self._containers[(project, service)] = container
                container.state, container.since, container.exit_code = state, now, 0
                container.log.extend(log)

    def log(self, project: str, container_id: str, tail: int) -> str | None:
        """`docker logs --tail N` of one of the project's containers; None when it has no such container."""
        with self._lock:
            for container in self._containers.values():
                if container.project == project and container.container_id == container_id:
                    return "".join(line + "\n" for line in container.log[-tail:])
            return None

    def exited(self, project: str, exit_code: int = 0, services: list[str] | None = None) -> None:
        """The running containers of a project (or of these services) ended with `exit_code`."""
        with self._lock:
            now = self._clock()
            for (name, service), container in self._containers.items():
                if name == project and container.state == "running" and (services is None or service in services):
                    container.state, container.since, container.exit_code = "exited", now, exit_code

    def remove(self, project: str) -> None:
        """`docker compose down`: the project's containers are gone."""
        with self._lock:
            for key in [k for k in self._containers if k[0] == project]:
                del self._containers[key]

    def match(self, app_name: str, app_type: str | None) -> list[dict]:
        """Dokploy's getContainersByAppNameMatch: the project's containers for docker-compose, name matches
        without a type, nothing for a stack (the simulator runs no Swarm)."""
        with self._lock:
            now = self._clock()
            if app_type == "stack":
                return []
            found = [c for c in self._containers.values()
                     if (c.project == app_name if app_type == "docker-compose" else app_name in c.name)]
            return [c.to_json(now) for c in sorted(found, key=lambda c: c.name)]

    def snapshot(self) -> list[dict]:
        with self._lock:
            now = self._clock()
            return [{**c.to_json(now), "project": c.project, "service": c.service}
                    for c in self._containers.values()]


def human_duration(seconds: float) -> str:
    """Docker's units.HumanDuration ("Less than a second", "5 seconds", "About a minute", "2 hours", ...)."""
    seconds = int(seconds)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(seconds / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"
