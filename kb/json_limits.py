"""Parsing JSON from outside without letting its shape cost more than its size.

Python's ``json`` recurses once per ``[`` or ``{``, so a line of ten thousand
brackets raises RecursionError (not a JSONDecodeError, so it escaped every
handler and answered 500), and it accepts NaN, Infinity and integers of
thousands of digits. The importer and the API both parse through here.
"""

from __future__ import annotations

import json
import re
from typing import Any

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


class JsonRefused(ValueError):
    """The text is not acceptable JSON; the message says why, for the person who sent it."""


def json_depth(text: str, stop_above: int | None = None) -> int:
    """Deepest nesting of arrays and objects, found without building anything (brackets in
    strings skipped); counting stops once ``stop_above`` is exceeded."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number")


def loads_bounded(text: str, max_depth: int) -> Any:
    """``json.loads`` that refuses deep nesting, NaN/Infinity and oversized integers with one error type."""
    if json_depth(text, stop_above=max_depth) > max_depth:
        raise JsonRefused(f"the JSON is nested deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4300 digits
        raise JsonRefused(f"invalid JSON: {str(exc)[:200]}") from None
