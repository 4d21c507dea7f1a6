"""Validation of talent records (the import/export format, one JSON object per
line): the JSON schema plus the checks a schema cannot express, such as field
codes that must exist in the taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from kb.errors import Message
from kb.taxonomy import load_taxonomy, talent_schema
from kb.urls import url_problem


@dataclass(frozen=True)
class RecordError:
    """One problem with one record: where (a JSON path such as ``outputs[2].year``) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(talent_schema())


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


#: jsonschema validator kind → the catalogue code of its message (web/messages.py words it).
SCHEMA_CODES = {
    "required": "record.required", "minLength": "record.min_length", "maxLength": "record.max_length",
    "minimum": "record.minimum", "exclusiveMinimum": "record.minimum", "maximum": "record.maximum",
    "exclusiveMaximum": "record.maximum", "minItems": "record.min_items", "maxItems": "record.max_items",
    "enum": "record.enum", "const": "record.enum", "type": "record.type", "pattern": "record.format",
    "format": "record.format", "uniqueItems": "record.unique", "additionalProperties": "record.unknown_key",
}
_COUNTED = ("minLength", "maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems",
            "maxItems")


def _schema_message(err: Any) -> Message:
    """jsonschema's English message with the code and parameters a page words it with."""
    params = {"n": err.validator_value} if err.validator in _COUNTED else {}
    return Message(err.message, SCHEMA_CODES.get(err.validator, "record.invalid"), **params)


def validate_record(rec: Any) -> list[RecordError]:
    """All problems with a record, empty when it can be saved."""
    if not isinstance(rec, dict):
        return [RecordError("", Message("a record must be a JSON object", "record.not_object"))]
    errors = [
        RecordError(_path(e.absolute_path) or _required_field(e), _schema_message(e))
        for e in sorted(_validator().iter_errors(rec), key=lambda e: list(map(str, e.absolute_path)))
    ]
    tax = load_taxonomy()
    # The schema has already reported a non-list here; only look inside real lists.
    fields: list[Any] = rec["fields"] if isinstance(rec.get("fields"), list) else []
    outputs: list[Any] = rec["outputs"] if isinstance(rec.get("outputs"), list) else []
    for i, code in enumerate(fields):
        if isinstance(code, str) and code not in tax.fields:
            errors.append(RecordError(f"fields[{i}]", Message(f"unknown field code {code!r}", "record.unknown_field")))
    for i, out in enumerate(outputs):
        if isinstance(out, dict) and isinstance(out.get("type"), str) and out["type"] not in tax.output_types:
            errors.append(RecordError(f"outputs[{i}].type",
                                      Message(f"unknown output type {out['type']!r}", "record.enum")))
        if isinstance(out, dict) and isinstance(out.get("url"), str) and (problem := url_problem(out["url"])):
            errors.append(RecordError(f"outputs[{i}].url", Message(problem, "record.url")))
    if isinstance(rec.get("id"), str) and rec["id"].strip() != rec["id"]:
        errors.append(RecordError("id", Message("must not start or end with white space", "record.id_space")))
    return errors


def _required_field(err: Any) -> str:
    # For "required" errors jsonschema puts the missing name only in the message.
    if err.validator == "required" and err.message.endswith("is a required property"):
        name: str = err.message.split("'")[1]
        return name
    return ""
