# SPDX-License-Identifier: MIT
"""Fault rules injected through the control API (/__sim/faults).

A rule is {"match": ..., "kind": ..., "count": N, ...}. Request faults change
how one API request is answered; deploy faults change how a deployment ends.
Rules apply in registration order; each use decrements `count` (-1 = forever).
A rule with `skip: N` lets its first N matching requests (or deploys) through
untouched before it starts to apply.
"""

from __future__ import annotations

import copy
import threading

REQUEST_KINDS = frozenset({
    "status", "reset", "slow", "truncated", "nonjson", "wrongshape", "unauthorized",
})
DEPLOY_KINDS = frozenset({"deploy_error", "deploy_hang", "no_sshd"})
NO_SSHD_MODES = frozenset({"closed", "blackhole"})
DEPLOY_PROCEDURES = frozenset({"compose.deploy", "compose.redeploy"})


class FaultBook:
    """The registered fault rules; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[dict] = []

    def add(self, rules) -> list[dict]:
        """Validate and append one rule (dict) or several (list); raises ValueError."""
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list):
            raise ValueError("expected a fault rule object or a list of them")
        validated = [_validated(rule) for rule in rules]
        with self._lock:
            self._rules.extend(validated)
            return copy.deepcopy(self._rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def remaining(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._rules)

    def take_request_fault(self, procedure: str) -> dict | None:
        """Consume and return the first request fault matching `procedure`."""
        return self._take(lambda rule: rule["kind"] in REQUEST_KINDS
                          and _matches_procedure(rule["match"], procedure))

    def take_deploy_fault(self, procedure: str, compose: dict) -> dict | None:
        """Consume and return the first deploy fault for this deploy request.

        `match` may be a procedure prefix ("compose.deploy", "*") or a compose's
        composeId, appName or name.
        """
        identities = {compose.get("composeId"), compose.get("appName"), compose.get("name")}
        return self._take(lambda rule: rule["kind"] in DEPLOY_KINDS
                          and (_matches_procedure(rule["match"], procedure)
                               or rule["match"] in identities))

    def _take(self, predicate) -> dict | None:
        with self._lock:
            for index, rule in enumerate(self._rules):
                if predicate(rule):
                    if rule.get("skip", 0) > 0:
                        rule["skip"] -= 1
                        continue
                    if rule["count"] > 0:
                        rule["count"] -= 1
                        if rule["count"] == 0:
                            del self._rules[index]
                    return dict(rule)
        return None


def _matches_procedure(match: str, procedure: str) -> bool:
    return match == "*" or procedure.startswith(match)


def _validated(rule) -> dict:
    """Check a rule and fill in defaults; raises ValueError naming the problem."""
    if not isinstance(rule, dict):
        raise ValueError("a fault rule must be an object")
    rule = dict(rule)
    kind = rule.get("kind")
    if kind not in REQUEST_KINDS | DEPLOY_KINDS:
        known = ", ".join(sorted(REQUEST_KINDS | DEPLOY_KINDS))
        raise ValueError(f"unknown fault kind {kind!r}; known: {known}")
    if not isinstance(rule.get("match", "*"), str) or not rule.get("match", "*"):
        raise ValueError("match must be a non-empty string")
    rule.setdefault("match", "*")
    count = rule.setdefault("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or (count < 1 and count != -1):
        raise ValueError("count must be a positive integer or -1 (forever)")
    skip = rule.setdefault("skip", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise ValueError("skip must be a non-negative integer")
    if kind == "no_sshd" and rule.setdefault("mode", "closed") not in NO_SSHD_MODES:
        raise ValueError("mode must be one of: " + ", ".join(sorted(NO_SSHD_MODES)))
    if kind == "status":
        status = rule.setdefault("status", 503)
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status code")
    if kind == "slow":
        seconds = rule.setdefault("seconds", 5)
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("seconds must be a non-negative number")
    return rule
