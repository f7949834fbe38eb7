# SPDX-License-Identifier: MIT
"""Per-request bookkeeping of the simulator: the API request log and the API key's rate limit."""

from __future__ import annotations

import threading


class RequestLog:
    """The ordered log of /api/ requests (never headers, so never the API key)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: list[dict] = []

    def start(self, method: str, path: str, query: dict, body) -> dict:
        """Append an entry (status filled in later by finish())."""
        entry = {"method": method, "path": path, "query": query, "body": body, "status": None}
        with self._lock:
            self._entries.append(entry)
        return entry

    def finish(self, entry: dict, status: int | None, fault: str | None) -> None:
        with self._lock:
            entry["status"] = status
            if fault:
                entry["fault"] = fault

    def entries(self) -> list[dict]:
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RateLimit:
    """An API key's rate limit: after `limit` authenticated requests every request answers 401, like a key
    Dokploy created with its default limit (10 verifications a day, two per request: 5 requests)."""

    def __init__(self, limit: int | None):
        self._lock = threading.Lock()
        self.limit = limit
        self.used = 0

    def spend(self) -> bool:
        """Count one authenticated request; False once the limit is spent."""
        with self._lock:
            if self.limit is None:
                return True
            self.used += 1
            return self.used <= self.limit

    def reset(self, body) -> dict:
        """Start counting again; {"limit": N or null} also changes the limit."""
        with self._lock:
            if isinstance(body, dict) and "limit" in body:
                limit = body["limit"]
                if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
                    raise ValueError("limit must be a non-negative integer or null")
                self.limit = limit
            self.used = 0
        return self.state()

    def state(self) -> dict:
        with self._lock:
            return {"limit": self.limit, "used": self.used}
