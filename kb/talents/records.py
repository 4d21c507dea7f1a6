"""Validation of talent records (the import/export format, one JSON object per
line): the JSON schema plus the checks a schema cannot express, such as field
codes that must exist in the taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

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


def validate_record(rec: Any) -> list[RecordError]:
    """All problems with a record, empty when it can be saved."""
    if not isinstance(rec, dict):
        return [RecordError("", "a record must be a JSON object")]
    errors = [
        RecordError(_path(e.absolute_path) or _required_field(e), e.message)
        for e in sorted(_validator().iter_errors(rec), key=lambda e: list(map(str, e.absolute_path)))
    ]
    tax = load_taxonomy()
    # The schema has already reported a non-list here; only look inside real lists.
    fields: list[Any] = rec["fields"] if isinstance(rec.get("fields"), list) else []
    outputs: list[Any] = rec["outputs"] if isinstance(rec.get("outputs"), list) else []
    for i, code in enumerate(fields):
        if isinstance(code, str) and code not in tax.fields:
            errors.append(RecordError(f"fields[{i}]", f"unknown field code {code!r}"))
    for i, out in enumerate(outputs):
        if isinstance(out, dict) and isinstance(out.get("type"), str) and out["type"] not in tax.output_types:
            errors.append(RecordError(f"outputs[{i}].type", f"unknown output type {out['type']!r}"))
        if isinstance(out, dict) and isinstance(out.get("url"), str) and (problem := url_problem(out["url"])):
            errors.append(RecordError(f"outputs[{i}].url", problem))
    if isinstance(rec.get("id"), str) and rec["id"].strip() != rec["id"]:
        errors.append(RecordError("id", "must not start or end with white space"))
    return errors


def _required_field(err: Any) -> str:
    # For "required" errors jsonschema puts the missing name only in the message.
    if err.validator == "required" and err.message.endswith("is a required property"):
        name: str = err.message.split("'")[1]
        return name
    return ""
