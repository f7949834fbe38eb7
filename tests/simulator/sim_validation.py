# SPDX-License-Identifier: MIT
"""Zod-like input validation and tRPC-style errors for the simulated API.

Two generations, as recorded from Dokploy: `modern` (v0.28+, zod 4) error bodies are
{message, code, data: {code, httpStatus, path, zodError}, issues?} with zod 4 issue texts; older servers
(zod 3) answer {message, code, issues?} with zod 3 texts.
"""

from __future__ import annotations

import math
import re
from typing import Callable

# checker(value, modern) -> an issue without "path", or None when the value is fine
Checker = Callable[[object, bool], "dict | None"]


class ApiError(Exception):
    """An error answer: HTTP status plus Dokploy's error body."""

    def __init__(self, status: int, code: str, message: str, issues: list | None = None,
                 with_path: bool = True):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.issues = issues
        self.with_path = with_path  # Dokploy leaves data.path out of its "Not found" route error

    def body(self, procedure: str, modern: bool) -> dict:
        body = {"message": self.message, "code": self.code}
        if modern:
            data = {"code": self.code, "httpStatus": self.status}
            if self.with_path:
                data["path"] = procedure
            data["zodError"] = _zod_error(self.issues) if self.issues is not None else None
            body["data"] = data
        if self.issues is not None:
            body["issues"] = self.issues
        return body


def not_found(what: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{what} not found")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)


def internal_error(message: str) -> ApiError:
    return ApiError(500, "INTERNAL_SERVER_ERROR", message)


def validate(data, required: dict[str, Checker], optional: dict[str, Checker] | None = None,
             modern: bool = True) -> dict:
    """Check `data` like a zod object schema; unknown keys are dropped.

    Returns the known fields (with coerced values); raises ApiError 400 "Input validation failed".
    """
    if not isinstance(data, dict):
        raise _validation_failed([_with_path(_type_issue("object", data, modern), [])])
    optional = optional or {}
    issues, result = [], {}
    for name, checker in {**required, **optional}.items():
        if name not in data:
            if name in required:
                issues.append(_with_path(_missing(checker, modern), [name]))
            continue
        value = data[name]
        coerce = getattr(checker, "coerce", None)
        if coerce is not None:
            value = coerce(value)
        issue = checker(value, modern)
        if issue is not None:
            issues.append(_with_path(issue, [name]))
        else:
            result[name] = value
    if issues:
        raise _validation_failed(issues)
    return result


def _checker(expected: str, check, coerce=None) -> Checker:
    check.expected = expected
    check.coerce = coerce
    return check


def _string_check(value, modern):
    return None if isinstance(value, str) else _type_issue("string", value, modern)


string = _checker("string", _string_check)


def _nonempty(value, modern):
    if not isinstance(value, str):
        return _type_issue("string", value, modern)
    if value:
        return None
    if modern:
        return {"origin": "string", "code": "too_small", "minimum": 1, "inclusive": True,
                "message": "Too small: expected string to have >=1 characters"}
    return {"code": "too_small", "minimum": 1, "type": "string", "inclusive": True, "exact": False,
            "message": "String must contain at least 1 character(s)"}


nonempty_string = _checker("string", _nonempty)
nullable_string = _checker("string", lambda value, modern: None if value is None
                           else _string_check(value, modern))
boolean = _checker("boolean", lambda value, modern: None if isinstance(value, bool)
                   else _type_issue("boolean", value, modern))
# Anything goes, read with JavaScript's truthiness (compose.delete's deleteVolumes: the real server accepts a
# missing or non-boolean value).
anything = _checker("boolean", lambda value, modern: None)


def _string_list_check(value, modern):
    if value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return None
    return _type_issue("array", value, modern)


string_list_or_null = _checker("array", _string_list_check)


def one_of(*values: str) -> Checker:
    """A zod enum of strings."""

    def check(value, modern):
        if value in values:
            return None
        if modern:
            options = "|".join(f'"{v}"' for v in values)
            return {"code": "invalid_value", "values": list(values),
                    "message": f"Invalid option: expected one of {options}"}
        options = " | ".join(f"'{v}'" for v in values)
        return {"code": "invalid_enum_value", "options": list(values), "received": value,
                "message": f"Invalid enum value. Expected {options}, received '{value}'"}

    return _checker("string", check)


def matching(pattern: str, message: str) -> Checker:
    """A non-empty string matching a regular expression (zod .min(1).regex(...))."""
    regex = re.compile(pattern)

    def check(value, modern):
        issue = _nonempty(value, modern)
        if issue is not None or regex.fullmatch(value):
            return issue
        if modern:
            return {"origin": "string", "code": "invalid_format", "format": "regex",
                    "pattern": f"/{pattern}/", "message": message}
        return {"validation": "regex", "code": "invalid_string", "message": message}

    return _checker("string", check)


def integer(low: int, high: int) -> Checker:
    """z.number().int().min(low).max(high), coerced from a query-string text like the REST adapter does."""

    def check(value, modern):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            issue = _type_issue("number", value, modern)
            if modern and isinstance(value, float) and math.isnan(value):
                issue = {"expected": "number", "code": "invalid_type", "received": "NaN",
                         "message": "Invalid input: expected number, received NaN"}
            return issue
        if value != int(value):
            return ({"expected": "int", "code": "invalid_type", "format": "safeint",
                     "message": "Invalid input: expected int, received number"} if modern else
                    {"code": "invalid_type", "expected": "integer", "received": "float",
                     "message": "Expected integer, received float"})
        if value < low:
            return ({"origin": "number", "code": "too_small", "minimum": low, "inclusive": True,
                     "message": f"Too small: expected number to be >={low}"} if modern else
                    {"code": "too_small", "minimum": low, "type": "number", "inclusive": True,
                     "exact": False, "message": f"Number must be greater than or equal to {low}"})
        if value > high:
            return ({"origin": "number", "code": "too_big", "maximum": high, "inclusive": True,
                     "message": f"Too big: expected number to be <={high}"} if modern else
                    {"code": "too_big", "maximum": high, "type": "number", "inclusive": True,
                     "exact": False, "message": f"Number must be less than or equal to {high}"})
        return None

    return _checker("number", check, coerce=_to_number)


def js_truthy(value) -> bool:
    """JavaScript's Boolean(value) for JSON values."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "")


def _to_number(value):
    """JavaScript's Number(text) for query-string input; JSON numbers pass through."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return 0
    try:
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:
        return math.nan


def _missing(checker: Checker, modern: bool) -> dict:
    expected = getattr(checker, "expected", "string")
    if modern:
        return {"expected": expected, "code": "invalid_type",
                "message": f"Invalid input: expected {expected}, received undefined"}
    return {"code": "invalid_type", "expected": expected, "received": "undefined", "message": "Required"}


def _type_issue(expected: str, value, modern: bool) -> dict:
    received = json_type_name(value)
    if modern:
        return {"expected": expected, "code": "invalid_type",
                "message": f"Invalid input: expected {expected}, received {received}"}
    return {"code": "invalid_type", "expected": expected, "received": received,
            "message": f"Expected {expected}, received {received}"}


def _with_path(issue: dict, path: list) -> dict:
    """The issue with `path` just before `message`, in zod's key order."""
    ordered = {k: v for k, v in issue.items() if k != "message"}
    ordered["path"] = path
    ordered["message"] = issue["message"]
    return ordered


def _validation_failed(issues: list) -> ApiError:
    return ApiError(400, "BAD_REQUEST", "Input validation failed", issues)


def _zod_error(issues: list) -> dict:
    """tRPC's zodError: zod's flatten() of the issues."""
    form, fields = [], {}
    for issue in issues:
        if issue["path"]:
            fields.setdefault(str(issue["path"][0]), []).append(issue["message"])
        else:
            form.append(issue["message"])
    return {"formErrors": form, "fieldErrors": fields}


def json_type_name(value) -> str:
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
