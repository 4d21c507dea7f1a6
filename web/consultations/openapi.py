"""OpenAPI paths of ``/api/v1/consultations``, merged into the API's document
when the blueprint is registered (``web.consultations._register_api``)."""

from __future__ import annotations

from typing import Any

from kb.choices import values as _values
from kb.consultations.enums import (
    AdoptionExtent,
    InvitationResponse,
    InvitationState,
    LeaderLevel,
    LedgerStep,
    RequestState,
)
from kb.consultations.ledger import RECORDABLE
from kb.consultations.recommend import SHOWN_DEFAULT, SHOWN_MAX
from kb.consultations.requests import MANUAL_MOVES


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _json(schema: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _body(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": props, "required": required or []}}}}


ERRORS = {"400": _problem("Invalid input"), "401": _problem("No valid bearer token"),
          "403": _problem("The account may not do this (e.g. a confidential request it is not part of)"),
          "404": _problem("No such object"), "409": _problem("Not allowed in the request's current state")}
RID = {"name": "rid", "in": "path", "required": True, "schema": {"type": "integer"}}
IID = {"name": "iid", "in": "path", "required": True, "schema": {"type": "integer"}}
AID = {"name": "aid", "in": "path", "required": True, "schema": {"type": "integer"}}
OBJ = {"type": "object"}

SCHEMAS: dict[str, Any] = {
    "Consultation": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "unit": {"type": "string"},
        "state": {"enum": _values(RequestState)},
        "form": {"enum": ["written", "meeting", "panel"]},
        "confidentiality": {"enum": ["public", "unit", "confidential"]},
        "fields": {"type": "array", "items": {"type": "string"}}, "deadline": {"type": ["string", "null"]},
        "experts_wanted": {"type": "integer"}, "background": {"type": "string"}, "questions": {"type": "string"},
        "parties": {"type": "array", "items": {"type": "string"}},
        "invitations": {"type": "array", "items": {"$ref": "#/components/schemas/ConsultationInvitation"}},
        "transitions": {"type": "array", "items": OBJ}}},
    "ConsultationInvitation": {"type": "object", "properties": {
        "id": {"type": "integer"}, "talent_id": {"type": "string"},
        "state": {"enum": _values(InvitationState)},
        "advice": {"oneOf": [{"$ref": "#/components/schemas/ConsultationAdvice"}, {"type": "null"}]}}},
    "ConsultationAdvice": {"type": "object", "properties": {
        "id": {"type": "integer"}, "text": {"type": "string"}, "attachments": {"type": "array", "items": OBJ},
        "rating": {"type": ["integer", "null"]}, "adoption": {"enum": ["full", "partial", "none", None]},
        "adopted_into": {"type": "string"}}},
    "ConsultationRecommendation": {"type": "object", "properties": {
        "request_id": {"type": "integer"}, "total_candidates": {"type": "integer"}, "matched": {"type": "integer"},
        "limit": {"type": "integer"},
        "candidates": {"type": "array", "items": OBJ}, "excluded": {"type": "array", "items": OBJ},
        "draw": {"oneOf": [{"$ref": "#/components/schemas/ConsultationDraw"}, {"type": "null"}]}}},
    "ConsultationDraw": {"type": "object", "properties": {
        "seed": {"type": "string"}, "pool": {"type": "array", "items": {"type": "string"}},
        "count": {"type": "integer"}, "picked": {"type": "array", "items": {"type": "string"}},
        "fair": {"type": "boolean", "description": "drawn with the fair option (fewer past consultations, "
                                                  "higher chance)"},
        "fairness": {"type": ["object", "null"], "description": (
            "strength and window_days of the weight 1/(1+n)^strength; per pool member: counts (accepted "
            "consultations in the window since `since`), weights, chances (exact, with the option) and "
            "chances_without; low_load (members below the pool's average) and low_load_share "
            "{with, without}: the expected part of the picks going to them. Null for draws before it was "
            "recorded."), "properties": {
            "strength": {"type": "integer"}, "window_days": {"type": "integer"}, "since": {"type": "string"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "weights": {"type": "object", "additionalProperties": {"type": "number"}},
            "chances": {"type": "object", "additionalProperties": {"type": "number"}},
            "chances_without": {"type": "object", "additionalProperties": {"type": "number"}},
            "low_load": {"type": "array", "items": {"type": "string"}},
            "low_load_share": {"type": "object", "properties": {
                "with": {"type": "number"}, "without": {"type": "number"}}}}},
        "at": {"type": ["string", "null"]}}},
}

REQUEST_PROPS = {
    "title": {"type": "string"}, "background": {"type": "string"}, "questions": {"type": "string"},
    "fields": {"type": "array", "items": {"type": "string"}}, "deadline": {"type": "string", "format": "date"},
    "experts_wanted": {"type": "integer"}, "form": {"type": "string"}, "confidentiality": {"type": "string"},
    "parties": {"type": "array", "items": {"type": "string"}}, "org_cap": {"type": ["integer", "null"]},
    "open": {"type": "boolean", "description": "publish at once"},
}

PATHS: dict[str, Any] = {
    "/consultations": {
        "get": {"summary": "Consultation requests the account may see", "parameters": [
            {"name": "scope", "in": "query", "schema": {"enum": ["mine", "unit", "invited", "visible"]}}],
            "responses": {"200": {"description": "OK"}, **ERRORS}},
        "post": {"summary": "File a consultation request (researchers)", "requestBody": _body(REQUEST_PROPS, ["title"]),
                 "responses": {"201": _json("Consultation", "Created"), **ERRORS}},
    },
    "/consultations/{rid}": {"get": {"summary": "One request", "parameters": [RID],
                                     "responses": {"200": _json("Consultation"), **ERRORS}}},
    "/consultations/{rid}/transitions": {"post": {
        "summary": "Move the request (open, answered, closed, cancelled)", "parameters": [RID],
        "requestBody": _body({"to": {"enum": _values(MANUAL_MOVES)}, "note": {"type": "string"}}, ["to"]),
        "responses": {"200": _json("Consultation"), **ERRORS}}},
    "/consultations/{rid}/recommendation": {"get": {
        "summary": "Ranked experts with match level and evidence (good matches first, the first `limit`), "
                   "and excluded ones with reasons",
        "parameters": [RID, {"name": "limit", "in": "query", "required": False,
                             "schema": {"type": "integer", "minimum": 1, "maximum": SHOWN_MAX,
                                        "default": SHOWN_DEFAULT}}],
        "responses": {"200": _json("ConsultationRecommendation"), **ERRORS}}},
    "/consultations/{rid}/draw": {"post": {
        "summary": "Seeded random draw among the top qualified candidates", "parameters": [RID],
        "requestBody": _body({"pool_size": {"type": "integer"}, "count": {"type": "integer"},
                              "seed": {"type": "string"},
                              "fair": {"type": "boolean", "default": False, "description": (
                                  "favour experts with fewer accepted consultations in the last "
                                  "consultations.fair_draw_window_days (weight 1/(1+n)^fair_draw_strength); "
                                  "same pool, recorded with the draw and repeatable from its seed")}}),
        "responses": {"201": _json("ConsultationDraw", "The recorded draw"), **ERRORS}}},
    "/consultations/{rid}/selections": {"post": {
        "summary": "Add (include) or remove (exclude) an expert by hand, with a reason", "parameters": [RID],
        "requestBody": _body({"talent_id": {"type": "string"}, "action": {"enum": ["include", "exclude"]},
                              "reason": {"type": "string"}}, ["talent_id", "action", "reason"]),
        "responses": {"201": _json("Consultation"), **ERRORS}}},
    "/consultations/{rid}/invitations": {"post": {
        "summary": "Invite experts (screened again for conflicts, availability, workload)", "parameters": [RID],
        "requestBody": _body({"talent_ids": {"type": "array", "items": {"type": "string"}},
                              "message": {"type": "string"}}, ["talent_ids"]),
        "responses": {"201": _json("Consultation"), **ERRORS}}},
    "/consultations/{rid}/trail": {"get": {"summary": "Audit trail of the request", "parameters": [RID],
                                           "responses": {"200": {"description": "OK"}, **ERRORS}}},
    "/consultations/invitations/{iid}": {"get": {"summary": "One invitation", "parameters": [IID],
                                                 "responses": {"200": _json("ConsultationInvitation"), **ERRORS}}},
    "/consultations/invitations/{iid}/response": {"post": {
        "summary": "Accept, decline (with reason) or declare a conflict (with reason)", "parameters": [IID],
        "requestBody": _body({"action": {"enum": _values(InvitationResponse)}, "reason": {"type": "string"}},
                             ["action"]),
        "responses": {"200": _json("ConsultationInvitation"), **ERRORS}}},
    "/consultations/invitations/{iid}/advice": {"post": {
        "summary": "Submit written advice (JSON, or multipart with attachments)", "parameters": [IID],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "properties": {"text": {"type": "string"}}}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "text": {"type": "string"},
                "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
        "responses": {"201": _json("ConsultationAdvice", "Created"), **ERRORS}}},
    "/consultations/advice/{aid}/rating": {"post": {
        "summary": "Rate advice 1-5 within the rating window", "parameters": [AID],
        "requestBody": _body({"rating": {"type": "integer"}, "comment": {"type": "string"}}, ["rating"]),
        "responses": {"200": _json("ConsultationAdvice"), **ERRORS}}},
    "/consultations/advice/{aid}/adoption": {"post": {
        "summary": "Record adoption: full, partial or none, and into which document", "parameters": [AID],
        "requestBody": _body({"adoption": {"enum": ["full", "partial", "none"]},
                              "adopted_into": {"type": "string"}}, ["adoption"]),
        "responses": {"200": _json("ConsultationAdvice"), **ERRORS}}},
    "/consultations/stats": {"get": {"summary": "Dashboard figures", "responses": {"200": {"description": "OK"},
                                                                                   **ERRORS}}},
}

# --- adoption ledger, dossiers and the quarterly report (kb.consultations.ledger, .dossier_model, .quarterly)

SCHEMAS["LedgerStep"] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "step": {"enum": _values(LedgerStep)}, "at": {"type": "string"},
    "actor": {"type": "string"}, "evidence": {"type": "string"}, "leader": {"type": "string"},
    "leader_level": {"enum": [*_values(LeaderLevel), None]}, "extent": {"enum": [*_values(AdoptionExtent), None]},
    "doc_title": {"type": "string"}, "doc_number": {"type": "string"}, "doc_date": {"type": ["string", "null"]},
    "doc_url": {"type": "string"}, "file": {"type": ["object", "null"]}}}
SCHEMAS["AdoptionLedger"] = {"type": "object", "properties": {
    "advice_id": {"type": "integer"}, "level": {"type": ["string", "null"]}, "stage": {"enum": _values(LedgerStep)},
    "acknowledged": {"type": "boolean"}, "implemented": {"type": "boolean"}, "evaluated": {"type": "boolean"},
    "steps": {"type": "array", "items": {"$ref": "#/components/schemas/LedgerStep"}}}}
_LEDGER_BODY = {
    "step": {"enum": [s.value for s in RECORDABLE]},
    "at": {"type": "string", "description": "when it happened: YYYY-MM-DD (that day in locale.timezone) or an "
                                            "ISO date-time (naive: UTC); default now"},
    "evidence": {"type": "string", "description": "the 批示's text, what was implemented, or the assessment"},
    "leader": {"type": "string"}, "leader_level": {"enum": _values(LeaderLevel)},
    "extent": {"enum": _values(AdoptionExtent)}, "doc_title": {"type": "string"},
    "doc_number": {"type": "string"}, "doc_date": {"type": "string"}, "doc_url": {"type": "string"},
}


def _download(media_type: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUARTER = {"name": "quarter", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"}, "description": "e.g. 2026Q3"}

PATHS.update({
    "/consultations/advice/{aid}/ledger": {
        "get": {"summary": "The adoption ledger of one advice: each step with its evidence, actor and time",
                "parameters": [AID], "responses": {"200": _json("AdoptionLedger"), **ERRORS}},
        "post": {"summary": "Record a step: a leader's 批示 (a bare 同意/圈阅 is recorded as acknowledged, not "
                            "adoption), adoption into a document, implementation, evaluation",
                 "parameters": [AID],
                 "requestBody": {"required": True, "content": {
                     "application/json": {"schema": {"type": "object", "properties": _LEDGER_BODY,
                                                     "required": ["step"]}},
                     "multipart/form-data": {"schema": {"type": "object", "properties": {
                         **_LEDGER_BODY, "file": {"type": "string", "format": "binary"}}, "required": ["step"]}}}},
                 "responses": {"201": _json("AdoptionLedger", "Recorded"), **ERRORS}}},
    "/consultations/{rid}/dossier.pdf": {"get": {
        "summary": "The dossier as PDF: cover, need, experts and why they were chosen, advice, adoption ledger",
        "parameters": [RID], "responses": {"200": _download("application/pdf", "PDF"), **ERRORS}}},
    "/consultations/{rid}/dossier.docx": {"get": {
        "summary": "The same dossier as an editable Word document", "parameters": [RID],
        "responses": {"200": _download(DOCX, "DOCX"), **ERRORS}}},
    "/consultations/reports/{quarter}.docx": {"get": {
        "summary": "Quarterly summary of consultations and their adoption as Word (what the caller may see; "
                   "an admin's has everything)", "parameters": [QUARTER],
        "responses": {"200": _download(DOCX, "DOCX"), **ERRORS}}},
    "/consultations/reports/{quarter}.xlsx": {"get": {
        "summary": "The same quarterly summary as a workbook: consultations, adoption by level, ledger steps",
        "parameters": [QUARTER], "responses": {"200": _download(XLSX, "XLSX"), **ERRORS}}},
})
