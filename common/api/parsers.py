"""The API's JSON parser: bounded size and nesting, and text the database can store.

DRF's own parser reads any size (it streams past ``DATA_UPLOAD_MAX_MEMORY_SIZE``), lets
JSON nest until Python's recursion limit breaks something later (a 500), and hands on
NUL characters and lone surrogates, which PostgreSQL refuses to store (another 500).
This one refuses all three as bad input: 413, 400 and a 400 naming the field.
"""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

from common.api.fields import text_is_storable
from core.exceptions import RuleViolation
from core.messages import JSON_TOO_DEEP, TEXT_NOT_STORABLE

MAX_DEPTH = 64  # no request of this API nests deeper than 4

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in ``raw`` JSON (strings are skipped).

    Counted on the bytes, before parsing, so a hostile body never reaches the parser.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _has_bad_text(value: Any) -> bool:
    if isinstance(value, str):
        return not text_is_storable(value)
    if isinstance(value, dict):
        return any(_has_bad_text(k) or _has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_bad_text(item) for item in value)
    return False


def _object_problems(data: dict[str, Any]) -> dict[str, list[str]]:
    """``{field: [message]}`` for each top-level field holding text that cannot be stored."""
    problems: dict[str, list[str]] = {}
    for key, value in data.items():
        name = key if text_is_storable(key) else "non_field_errors"
        if name != key or _has_bad_text(value):
            problems.setdefault(name, [TEXT_NOT_STORABLE])
    return problems


def bad_text_errors(data: Any) -> dict[str, Any]:
    """Field errors in the API's shapes for text no column can hold; {} when all is well.

    An object: ``{"field": [message]}``; a list (bulk): ``{"errors": [{"index": i,
    "field": [message]}]}``.
    """
    if isinstance(data, dict):
        return _object_problems(data)
    if isinstance(data, list):
        items = []
        for index, item in enumerate(data):
            if isinstance(item, dict):
                problems = _object_problems(item)
            else:
                problems = {"non_field_errors": [TEXT_NOT_STORABLE]} if _has_bad_text(item) else {}
            if problems:
                items.append({"index": index, **problems})
        return {"errors": items} if items else {}
    return {"non_field_errors": [TEXT_NOT_STORABLE]} if _has_bad_text(data) else {}


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with a size limit, a depth limit and a text check."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("the request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE")
        if json_depth(raw) > MAX_DEPTH:
            raise ParseError(JSON_TOO_DEEP.format(max=MAX_DEPTH))
        encoding = get_encoding(parser_context or {})
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ParseError(f"JSON parse error - {exc}") from exc
        errors = bad_text_errors(data)
        if errors:
            raise RuleViolation(errors)  # as the API's other 400s: indexes stay numbers
        return data
