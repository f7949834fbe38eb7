# SPDX-License-Identifier: MIT
"""Zod-like input validation and tRPC-style errors for the simulated API."""

from __future__ import annotations

from typing import Callable

Checker = Callable[[object], "dict | None"]


class ApiError(Exception):
    """An error answer: HTTP status plus Dokploy's {message, code, issues?} body."""

    def __init__(self, status: int, code: str, message: str, issues: list | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.issues = issues

    def body(self) -> dict:
        body = {"message": self.message, "code": self.code}
        if self.issues is not None:
            body["issues"] = self.issues
        return body


def not_found(what: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{what} not found")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)


def validate(data, required: dict[str, Checker],
             optional: dict[str, Checker] | None = None) -> dict:
    """Check `data` like a zod object schema; unknown keys are dropped.

    Returns the known fields; raises ApiError 400 "Input validation failed" with issues.
    """
    if not isinstance(data, dict):
        raise _validation_failed([_type_issue([], "object", data)])
    optional = optional or {}
    issues, result = [], {}
    for name, checker in {**required, **optional}.items():
        if name not in data:
            if name in required:
                issues.append({"code": "invalid_type", "received": "undefined",
                               "path": [name], "message": "Required"})
            continue
        issue = checker(data[name])
        if issue is not None:
            issue["path"] = [name]
            issues.append(issue)
        else:
            result[name] = data[name]
    if issues:
        raise _validation_failed(issues)
    return result


def nonempty_string(value) -> dict | None:
    if not isinstance(value, str):
        return _type_issue(None, "string", value)
    if not value:
        return {"code": "too_small", "minimum": 1, "type": "string", "inclusive": True,
                "exact": False, "message": "String must contain at least 1 character(s)"}
    return None


def string(value) -> dict | None:
    return None if isinstance(value, str) else _type_issue(None, "string", value)


def nullable_string(value) -> dict | None:
    return None if value is None else string(value)


def boolean(value) -> dict | None:
    return None if isinstance(value, bool) else _type_issue(None, "boolean", value)


def string_list_or_null(value) -> dict | None:
    if value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return None
    return _type_issue(None, "array", value)


def one_of(*values: str) -> Checker:
    """A checker for a zod enum of strings."""

    def check(value) -> dict | None:
        if value in values:
            return None
        options = " | ".join(f"'{v}'" for v in values)
        return {"code": "invalid_enum_value", "options": list(values), "received": value,
                "message": f"Invalid enum value. Expected {options}, received '{value}'"}

    return check


def _validation_failed(issues: list) -> ApiError:
    return ApiError(400, "BAD_REQUEST", "Input validation failed", issues)


def _type_issue(path, expected: str, value) -> dict:
    received = _type_name(value)
    issue = {"code": "invalid_type", "expected": expected, "received": received,
             "message": f"Expected {expected}, received {received}"}
    if path is not None:
        issue["path"] = path
    return issue


def _type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
