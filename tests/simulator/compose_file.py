# SPDX-License-Identifier: MIT
"""Parse and check a Compose file the way `docker compose up` would.

Only what the simulator needs: services with image, privileged flag, ports,
environment (with `.env` interpolation and `env_file: .env`) and volumes.
Every refusal raises ComposeError with a Docker-like message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

SSH_CONTAINER_PORT = 22


class ComposeError(Exception):
    """A compose file Docker would refuse; the message mimics Docker's."""


@dataclass(frozen=True)
class PortBinding:
    """One published port. host_port None means "any free port"."""

    host_ip: str
    host_port: int | None
    container_port: int
    protocol: str = "tcp"

    def is_ssh(self) -> bool:
        """True when this binding publishes the container's SSH port (22/tcp)."""
        return self.container_port == SSH_CONTAINER_PORT and self.protocol == "tcp"

    def to_json(self) -> dict:
        return {
            "hostIp": self.host_ip,
            "hostPort": self.host_port,
            "containerPort": self.container_port,
            "protocol": self.protocol,
        }


@dataclass
class ServiceSpec:
    """The parts of one compose service the simulator looks at."""

    name: str
    image: str
    privileged: bool
    ports: list[PortBinding] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    volumes: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "image": self.image,
            "privileged": self.privileged,
            "ports": [p.to_json() for p in self.ports],
            "environment": dict(self.environment),
            "volumes": self.volumes,
        }


@dataclass
class ComposeSpec:
    """A parsed compose project: services plus top-level volumes."""

    services: list[ServiceSpec]
    volumes: dict

    def to_json(self) -> dict:
        return {
            "services": {s.name: s.to_json() for s in self.services},
            "volumes": self.volumes,
        }


def parse_compose(text: str, env_text: str = "") -> ComposeSpec:
    """Parse compose YAML, interpolating ${VAR} from the dotenv text `env_text`.

    Raises ComposeError for invalid YAML, no services, a service without image,
    or malformed ports/environment.
    """
    try:
        document = yaml.safe_load(text or "")
    except yaml.YAMLError as exc:
        raise ComposeError(_yaml_message(exc)) from None
    if document is None:
        raise ComposeError("empty compose file")
    if not isinstance(document, dict):
        raise ComposeError("Top-level object must be a mapping")
    variables = parse_dotenv(env_text)
    document = _interpolate_tree(document, variables)
    services = document.get("services")
    if not services:
        raise ComposeError("no service selected")
    if not isinstance(services, dict):
        raise ComposeError("services must be a mapping")
    specs = [_parse_service(str(name), body, variables) for name, body in services.items()]
    return ComposeSpec(specs, document.get("volumes") or {})


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse `KEY=VALUE` lines (Dokploy's `env` field); skips blanks and comments."""
    variables = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        variables[key] = value
    return variables


def parse_port(spec) -> PortBinding:
    """Parse a short ("2222:22", "127.0.0.1:2222:22/tcp", 22) or long port syntax."""
    if isinstance(spec, bool):
        raise ComposeError(f"invalid port spec {spec!r}")
    if isinstance(spec, int):
        return PortBinding("", None, _port_number(spec, spec))
    if isinstance(spec, dict):
        published = spec.get("published")
        return PortBinding(
            str(spec.get("host_ip") or ""),
            _port_number(published, spec) if published not in (None, "") else None,
            _port_number(spec.get("target"), spec),
            str(spec.get("protocol") or "tcp"),
        )
    if isinstance(spec, str):
        text, _, protocol = spec.strip().partition("/")
        match = _SHORT_PORT.match(text)
        if not match:
            raise ComposeError(f"invalid port spec {spec!r} (port ranges are not simulated)")
        host = match.group("host")
        return PortBinding(
            (match.group("ip") or "").strip("[]"),
            _port_number(host, spec) if host else None,
            _port_number(match.group("container"), spec),
            protocol or "tcp",
        )
    raise ComposeError(f"invalid port spec {spec!r}")


_SHORT_PORT = re.compile(
    r"^(?:(?:(?P<ip>\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]+):)?(?P<host>\d*):)?(?P<container>\d+)$"
)

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Expand $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}."""

    def replace(match: re.Match) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("bare")
        current = variables.get(name)
        op = match.group("op")
        if op is None:
            return current or ""
        unset = current is None or (op.startswith(":") and current == "")
        if not unset:
            return current
        if op.endswith("-"):
            return match.group("arg")
        raise ComposeError(f"required variable {name} is missing a value: {match.group('arg')}")

    return _VARIABLE.sub(replace, value)


def _interpolate_tree(node, variables):
    """Interpolate every string scalar (not keys) of a parsed YAML tree."""
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolate_tree(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables) for key, value in node.items()}
    return node


def _parse_service(name: str, body, variables: dict[str, str]) -> ServiceSpec:
    """Check one service and extract image, privileged, ports, environment, volumes."""
    if not isinstance(body, dict):
        raise ComposeError(f'service "{name}" must be a mapping')
    image = body.get("image")
    if not image:
        raise ComposeError(
            f'service "{name}" has neither an image nor a build context specified: '
            "invalid compose project"
        )
    ports = body.get("ports") or []
    if not isinstance(ports, list):
        raise ComposeError(f'service "{name}": ports must be a list')
    return ServiceSpec(
        name=name,
        image=str(image),
        privileged=body.get("privileged") is True,
        ports=[parse_port(p) for p in ports],
        environment=_service_environment(name, body, variables),
        volumes=list(body.get("volumes") or []),
    )


def _service_environment(name: str, body: dict, variables: dict[str, str]) -> dict[str, str]:
    """Merge `env_file` (only `.env`, i.e. Dokploy's env field) and `environment`."""
    environment: dict[str, str] = {}
    env_files = body.get("env_file") or []
    for entry in env_files if isinstance(env_files, list) else [env_files]:
        path = entry.get("path") if isinstance(entry, dict) else str(entry)
        if path not in (".env", "./.env"):
            raise ComposeError(f"env file {path} not found: stat {path}: no such file or directory")
        environment.update(variables)
    raw = body.get("environment") or {}
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = [_split_assignment(str(item)) for item in raw]
    else:
        raise ComposeError(f'service "{name}": environment must be a mapping or a list')
    for key, value in items:
        if value is None:
            value = variables.get(str(key))
        if value is not None:
            environment[str(key)] = _scalar_text(value)
    return environment


def _split_assignment(item: str) -> tuple[str, str | None]:
    """"K=V" -> (K, V); a bare "K" -> (K, None), resolved from .env later."""
    key, sep, value = item.partition("=")
    return key, (value if sep else None)


def _scalar_text(value) -> str:
    """Render a YAML scalar as the string Docker would put in the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _port_number(value, spec) -> int:
    """Validate a port number (1-65535) from a port spec."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ComposeError(f"invalid port spec {spec!r}") from None
    if not 1 <= number <= 65535:
        raise ComposeError(f"invalid port spec {spec!r}: port {number} out of range")
    return number


def _yaml_message(exc: yaml.YAMLError) -> str:
    """Format a YAML error like Docker: "yaml: line N: problem"."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"yaml: line {mark.line + 1}: {problem}"
    return f"yaml: {problem}"
