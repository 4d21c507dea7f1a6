"""Checking an organizer's event input and turning it into column values.

Returns only what was given (an edit may change one field), converted: local
times to naive UTC in the event's zone, topic text to a list. Errors carry a
field name each so a form can show them next to the input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kb.errors import Message, ValidationError
from kb.events.times import DEFAULT_TZ, parse_datetime, to_utc, zone
from kb.models.event import EVENT_KINDS
from kb.taxonomy import load_taxonomy
from kb.urls import url_problem

MAX_CAPACITY = 100_000
MAX_TOPICS = 20
TIME_FIELDS = ("start_at", "end_at", "registration_deadline")
TEXT_LIMITS = {"title": 300, "description": 20_000, "place": 300, "online_url": 1000}


def split_list(value: Any) -> list[str]:
    """Topics and criteria come as a list, or as text separated by lines, commas or 、."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in ("\n", "，", "、", ";", "；"):
            value = value.replace(sep, ",")
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def clean_event_values(values: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate ``values`` (a new event, or changes to ``current`` column values).

    The times of ``values`` are local to ``values["timezone"]`` (or the current
    zone, or Asia/Shanghai) unless they carry an offset.
    """
    current = current or {}
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    unknown = set(values) - {*TEXT_LIMITS, *TIME_FIELDS, "kind", "topics", "timezone", "capacity",
                             "audience_categories", "audience_fields"}
    if unknown:
        raise ValidationError(f"unknown event fields: {', '.join(sorted(unknown))}",
                              code="edit.unknown_fields", params={"fields": ", ".join(sorted(unknown))})

    for key, limit in TEXT_LIMITS.items():
        if key in values:
            text = str(values[key] or "").strip()
            if len(text) > limit:
                errors[key] = Message(f"at most {limit} characters", "record.max_length", n=limit)
            out[key] = text
    if "title" in out and not out["title"]:
        errors["title"] = Message("required", "record.required")
    if "online_url" in out and (problem := url_problem(out["online_url"])):
        errors["online_url"] = Message(problem, "record.url")
    if "kind" in values:
        if values["kind"] not in EVENT_KINDS:
            errors["kind"] = Message(f"one of {', '.join(EVENT_KINDS)}", "record.enum")
        out["kind"] = values["kind"]
    if "topics" in values:
        topics = split_list(values["topics"])
        if len(topics) > MAX_TOPICS or any(len(t) > 100 for t in topics):
            errors["topics"] = Message(f"at most {MAX_TOPICS} topics of 100 characters", "event.topics", max=MAX_TOPICS)
        out["topics"] = list(dict.fromkeys(topics))
    if "capacity" in values:
        try:
            capacity = int(values["capacity"])
            if not 1 <= capacity <= MAX_CAPACITY:
                raise ValueError
            out["capacity"] = capacity
        except (TypeError, ValueError):
            errors["capacity"] = Message(f"a whole number from 1 to {MAX_CAPACITY}", "number.range", low=1,
                                          high=MAX_CAPACITY)
    _criteria(values, out, errors)

    tz = str(values.get("timezone") or current.get("timezone") or DEFAULT_TZ)
    try:
        zone(tz)
        if "timezone" in values:
            out["timezone"] = tz
    except ValidationError:
        errors["timezone"] = Message("unknown IANA time zone", "event.timezone")
    if "timezone" not in errors:
        _times(values, out, errors, tz)
        _time_order({**current, **out}, errors)
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors, code="event.invalid")
    return out


def _criteria(values: dict[str, Any], out: dict[str, Any], errors: dict[str, str]) -> None:
    tax = load_taxonomy()
    for key, known in (("audience_categories", tax.categories), ("audience_fields", tax.fields)):
        if key in values:
            codes = split_list(values[key])
            bad = [c for c in codes if c not in known]
            if bad:
                errors[key] = Message(f"unknown: {', '.join(bad)}", "record.enum")
            out[key] = list(dict.fromkeys(codes))


def _times(values: dict[str, Any], out: dict[str, Any], errors: dict[str, str], tz: str) -> None:
    for key in TIME_FIELDS:
        if key not in values:
            continue
        raw = values[key]
        if raw in (None, ""):
            if key == "registration_deadline":
                out[key] = None
            else:
                errors[key] = Message("required", "record.required")
            continue
        try:
            out[key] = to_utc(parse_datetime(raw, key), tz, key)
        except ValidationError as exc:
            errors.update(exc.errors)


def _time_order(merged: dict[str, Any], errors: dict[str, str]) -> None:
    start: datetime | None = merged.get("start_at")
    end: datetime | None = merged.get("end_at")
    deadline: datetime | None = merged.get("registration_deadline")
    if start and end and end <= start:
        errors["end_at"] = Message("must be after the start", "event.end_before_start")
    if start and deadline and deadline > start:
        errors["registration_deadline"] = Message("must not be after the start", "event.deadline_after_start")
