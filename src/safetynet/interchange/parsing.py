"""Reading and validating interchange lines: bytes -> a validated record, or a reject reason.

Nothing here touches the database. `read_lines` streams a binary file with a per-line size
cap (an over-long line is passed on in pieces, never held whole); `parse_line` turns one
line's bytes into a validated record or raises `LineRejected` with the field and a reason
a data officer can act on (never quoting the data itself).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from pydantic import BaseModel, ValidationError

from safetynet.interchange.details import DETAILS_BY_TYPE
from safetynet.interchange.kinds import KINDS, RECORD_BY_KIND, Envelope

MAX_LINE_BYTES = 1024 * 1024


class LineRejected(Exception):
    """A line that cannot be stored: `field` (dotted path, may be empty) and `reason`."""

    def __init__(self, reason: str, field: str = "", kind: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.kind = kind


@dataclass
class RawLine:
    number: int
    data: bytes


def read_lines(
    handle: IO[bytes],
    *,
    max_bytes: int = MAX_LINE_BYTES,
    on_oversize: Callable[[int, bytes, Iterator[bytes]], None],
    on_bytes: Callable[[bytes], None] | None = None,
) -> Iterator[RawLine]:
    """Yield each non-blank line (without its line ending) with its 1-based line number.

    A line longer than `max_bytes` is not yielded: `on_oversize(number, first_piece, rest)`
    receives it in pieces of at most `max_bytes` (it must consume `rest`), so memory stays
    bounded whatever the line length. `on_bytes` sees every byte read (for the digest).
    """
    number = 0
    while True:
        piece = handle.readline(max_bytes + 1)
        if not piece:
            return
        if on_bytes is not None:
            on_bytes(piece)
        number += 1
        if len(piece) > max_bytes and not piece.endswith(b"\n"):
            on_oversize(number, piece, _rest_of_line(handle, max_bytes, on_bytes))
            continue
        data = piece.rstrip(b"\n")
        if number == 1 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]  # a UTF-8 byte order mark some tools write
        if data.strip():
            yield RawLine(number, data)


def _rest_of_line(handle: IO[bytes], max_bytes: int, on_bytes: Callable[[bytes], None] | None) -> Iterator[bytes]:
    while True:
        piece = handle.readline(max_bytes)
        if not piece:
            return
        if on_bytes is not None:
            on_bytes(piece)
        yield piece
        if piece.endswith(b"\n"):
            return


@dataclass
class ParsedLine:
    """A validated line: the original object and its text (stored as the payload), and its models."""

    number: int
    obj: dict[str, Any]
    record: Envelope
    details: BaseModel | None
    text: str = ""

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def key(self) -> tuple[str, str]:
        return self.record.source, self.record.id


def parse_line(data: bytes, number: int, *, today: dt.date) -> ParsedLine:
    """Decode, parse and validate one line. Returns a ParsedLine; raises LineRejected."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineRejected(f"the line is not valid UTF-8 text (bad byte at position {exc.start})") from None
    try:
        obj = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite_float, object_pairs_hook=_without_duplicates
        )
    except _DuplicateKey as exc:
        # Two values for one field: which one a reader takes differs between parsers, so the
        # line says two things at once. Refuse it rather than keep one silently.
        raise LineRejected(f"the field {exc.key!r} appears twice in one object; send it once") from None
    except json.JSONDecodeError as exc:
        raise LineRejected(f"the line is not valid JSON ({exc.msg} at character {exc.pos + 1})") from None
    except _NotFinite:
        raise LineRejected("the line holds a number that is not finite (NaN, Infinity or too large)") from None
    except RecursionError:
        raise LineRejected("the line is nested too deeply to read") from None
    if not isinstance(obj, dict):
        raise LineRejected("each line must be one JSON object {...}")
    if _ESCAPE_HAZARD.search(text) and _holds_unstorable(obj):
        # PostgreSQL stores neither NUL nor half a surrogate pair: refuse the line, not the batch.
        raise LineRejected(
            "the line contains a character that cannot be stored: "
            "NUL (\\u0000) or half a surrogate pair (\\ud800-\\udfff)"
        )
    parsed = validate_object(obj, number, today=today)
    parsed.text = text
    return parsed


# An escape that may decode to a character PostgreSQL cannot store (checked exactly after parsing).
_ESCAPE_HAZARD = re.compile(r"\\u(0000|[dD][89a-fA-F])")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _holds_unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_unstorable(key) or _holds_unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_unstorable(item) for item in value)
    return False


class _NotFinite(ValueError):
    pass


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key[:100]


def _without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def _no_constant(name: str) -> float:
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotFinite(text)
    return value


def validate_object(obj: dict[str, Any], number: int, *, today: dt.date, stored: bool = False) -> ParsedLine:
    """Validate a parsed line object against its kind's model. Raises LineRejected.

    `stored`: a version already stored, read back (the character rule of `fields.short_text`
    is not applied again, so a version stored before it reads as it did)."""
    kind = obj.get("kind")
    if kind is None:
        raise LineRejected("every line needs a kind", field="kind")
    if not isinstance(kind, str) or kind not in RECORD_BY_KIND:
        raise LineRejected(f"unknown kind; expected one of: {', '.join(KINDS)}", field="kind")
    context = {"today": today, "stored": stored}
    try:
        record = RECORD_BY_KIND[kind].model_validate(obj, context=context)
    except ValidationError as exc:
        field, reason = describe_errors(exc)
        raise LineRejected(reason, field=field, kind=kind) from None
    except RecursionError:
        raise LineRejected("the record is nested too deeply to read", kind=kind) from None
    details: BaseModel | None = None
    raw_details = obj.get("details")
    event_type = obj.get("event_type")
    if kind == "event" and raw_details is not None and isinstance(event_type, str):
        if not isinstance(raw_details, dict):
            raise LineRejected("expected an object", field="details", kind=kind)
        try:
            details = DETAILS_BY_TYPE[event_type].model_validate(raw_details, context=context)
        except ValidationError as exc:
            field, reason = describe_errors(exc)
            raise LineRejected(reason, field=f"details.{field}" if field else "details", kind=kind) from None
    return ParsedLine(number, obj, record, details)


# Union members pydantic adds to an error's location; not field names, so left out.
_TYPE_TAGS = {"str", "int", "float", "bool", "dict", "list", "constrained-str", "none", "literal"}


def _clean_loc(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif "[" in item or item in _TYPE_TAGS:
            continue
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts)


_MESSAGES = {
    "missing": "is required",
    "string_type": "expected text in quotes",
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "float_type": "expected a number",
    "list_type": "expected a list [...]",
    "dict_type": "expected an object {...}",
    "model_type": "expected an object {...}",
    "model_attributes_type": "expected an object {...}",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"not an allowed value; expected {expected}".replace("'", "")
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return "not in the expected format"
    if kind == "string_too_long":
        return f"too long: at most {error['ctx']['max_length']} characters"
    if kind in ("greater_than_equal", "less_than_equal"):
        return str(error["msg"]).replace("Input should be", "must be")
    return str(error["msg"]).replace("Input should be", "expected")


def describe_errors(exc: ValidationError) -> tuple[str, str]:
    """The first failing field (dotted path) and a plain-English reason; input never quoted."""
    errors = exc.errors(include_input=False, include_url=False)
    first = _clean_loc(errors[0]["loc"])
    messages: list[str] = []
    for error in errors:
        if _clean_loc(error["loc"]) == first:
            text = _message(error)
            if text not in messages:
                messages.append(text)
    if "expected a number" in messages and "expected a whole number" in messages:
        messages.remove("expected a whole number")
    reason = " or ".join(messages)
    others = len({_clean_loc(e["loc"]) for e in errors}) - 1
    if others:
        reason += f" (and {others} more problem{'s' if others > 1 else ''} in this line)"
    return first, reason
