"""OpenAPI paths of ``/api/v1/events``, merged into the API's document when the
blueprint is registered (``web.events._register_api``)."""

from __future__ import annotations

from typing import Any

from kb.choices import values as _values
from kb.events.enums import AudienceAction, EventStatus, RegistrationStatus
from kb.events.manage import MANUAL_MOVES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _ok(schema: dict[str, Any] | str, description: str = "OK", media: str = "application/json") -> dict[str, Any]:
    body = _ref(schema) if isinstance(schema, str) else schema
    return {"description": description, "content": {media: {"schema": body}}}


def _body(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": props, "required": required or []}}}}


def _op(summary: str, op_id: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "operationId": op_id, "responses": {**responses, **ERRORS}, **extra}


ERRORS = {"400": _problem("Invalid input"), "401": _problem("No valid bearer token"),
          "403": _problem("The account may not do this (only organizers and admins manage events)"),
          "404": _problem("No such event (drafts are invisible to non-organizers)"),
          "409": _problem("Not possible in the event's or registration's current state")}
EID = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}
MID = {"name": "material_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PID = {"name": "proposal_id", "in": "path", "required": True, "schema": {"type": "integer"}}
TALENT_Q = {"name": "talent_id", "in": "query", "schema": {"type": "string"},
            "description": "Organizers act for this talent; a talent's own account omits it"}
OBJ = {"type": "object"}
STR_LIST = {"type": "array", "items": {"type": "string"}}

EVENT_PROPS: dict[str, Any] = {
    "kind": {"enum": ["lecture", "salon", "training", "site_visit", "other"]},
    "title": {"type": "string", "maxLength": 300}, "description": {"type": "string"},
    "topics": STR_LIST,
    "start_at": {"type": "string", "description": "Local time in `timezone` (2026-12-05T14:30) or with an offset"},
    "end_at": {"type": "string"}, "registration_deadline": {"type": ["string", "null"]},
    "timezone": {"type": "string", "default": "Asia/Shanghai", "description": "IANA time zone"},
    "place": {"type": "string"}, "online_url": {"type": "string"},
    "capacity": {"type": "integer", "minimum": 1},
    "audience_categories": STR_LIST, "audience_fields": STR_LIST,
    "speakers": {"type": "array", "items": {"type": "object", "properties": {
        "talent": {"type": "string", "description": "A talent's id, or empty for an outside guest"},
        "name": {"type": "string"}, "affiliation": {"type": "string"}, "topic": {"type": "string"}}}},
}

SCHEMAS: dict[str, Any] = {
    "Event": {"type": "object", "properties": {
        **{k: v for k, v in EVENT_PROPS.items() if k != "speakers"},
        "id": {"type": "integer"}, "status": {"enum": _values(EventStatus)},
        "start_at": {"type": "string", "format": "date-time", "description": "UTC"},
        "start_local": {"type": "string", "description": "The same instant in the event's time zone"},
        "registered": {"type": "integer"}, "seats_left": {"type": "integer"},
        "speakers": {"type": "array", "items": OBJ}}},
    "EventRegistration": {"type": "object", "properties": {
        "id": {"type": "integer"}, "talent_id": {"type": "string"},
        "status": {"enum": [*_values(RegistrationStatus), None]},
        "waitlist_position": {"type": ["integer", "null"]},
        "checkin_code": {"type": ["string", "null"], "description": "One-time code; shown to the talent and organizers"},
        "checked_in_at": {"type": ["string", "null"]}}},
    "EventAudience": {"type": "object", "properties": {
        "query": {"type": "string"}, "total_matches": {"type": "integer"},
        "matched": {"type": "integer", "description": "Of the matches, those that match well (strong or partial)"},
        "suggestions": {"type": "array", "items": OBJ,
                        "description": "Ranked (good matches first), each with its match level and evidence"},
        "excluded": {"type": "array", "items": OBJ,
                     "description": "Not suggested, with reason: opted_out, not_certified or removed"}}},
}

PATHS: dict[str, Any] = {
    "/events": {
        "get": _op("Events the account may see (organizers: drafts too)", "listEvents",
                   {"200": _ok({"type": "object", "properties": {"items": {"type": "array", "items": _ref("Event")}}})},
                   parameters=[{"name": "when", "in": "query", "schema": {"enum": ["upcoming", "past"]}},
                               {"name": "q", "in": "query", "schema": {"type": "string"}}]),
        "post": _op("Create an event (a draft unless publish is true)", "createEvent", {"201": _ok("Event")},
                    requestBody=_body({**EVENT_PROPS, "publish": {"type": "boolean"}},
                                      ["title", "start_at", "end_at", "capacity"])),
    },
    "/events/{event_id}": {
        "get": _op("One event", "getEvent", {"200": _ok("Event")}, parameters=[EID]),
        "patch": _op("Change an event; time or place changes send everyone an updated .ics", "updateEvent",
                     {"200": _ok("Event")}, parameters=[EID], requestBody=_body(EVENT_PROPS)),
    },
    "/events/{event_id}/transitions": {"post": _op(
        "Publish, cancel or finish", "transitionEvent", {"200": _ok("Event")}, parameters=[EID],
        requestBody=_body({"to": {"enum": _values(MANUAL_MOVES)}, "reason": {"type": "string"}},
                          ["to"]))},
    "/events/{event_id}/audience": {
        "get": _op("Suggested invitees ranked by fit, with evidence, and those excluded with reasons",
                   "eventAudience", {"200": _ok("EventAudience")}, parameters=[
                       EID, {"name": "category", "in": "query", "schema": {"type": "string"},
                             "description": "Comma-separated; overrides the event's criteria"},
                       {"name": "field", "in": "query", "schema": {"type": "string"}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}]),
        "post": _op("Add, remove or reset a talent on the list by hand", "changeAudience", {"200": _ok(OBJ)},
                    parameters=[EID], requestBody=_body({"talent_id": {"type": "string"},
                                                         "action": {"enum": _values(AudienceAction)}},
                                                        ["talent_id", "action"])),
    },
    "/events/{event_id}/invitations": {"post": _op(
        "Invite talents (inbox + email with .ics); opted-out talents are skipped", "inviteToEvent",
        {"201": _ok(OBJ)}, parameters=[EID],
        requestBody=_body({"talent_ids": STR_LIST, "note": {"type": "string"}}, ["talent_ids"]))},
    "/events/{event_id}/registrations": {"get": _op(
        "Replies: every invitation and registration, and the waitlist in order", "eventRegistrations",
        {"200": _ok(OBJ)}, parameters=[EID])},
    "/events/{event_id}/registration": {
        "get": _op("The caller's (or a named talent's) registration", "getRegistration",
                   {"200": _ok("EventRegistration")}, parameters=[EID, TALENT_Q]),
        "post": _op("Register: a seat if one is free, else the waitlist", "register", {"201": _ok("EventRegistration")},
                    parameters=[EID], requestBody={"required": False, "content": {"application/json": {
                        "schema": {"type": "object", "properties": {"talent_id": {"type": "string"}}}}}}),
        "delete": _op("Cancel; the first waitlisted talent is promoted", "unregister",
                      {"200": _ok("EventRegistration")}, parameters=[EID, TALENT_Q]),
    },
    "/events/{event_id}/reply": {"post": _op(
        "Accept or decline an invitation", "replyToInvitation", {"200": _ok("EventRegistration")},
        parameters=[EID], requestBody=_body({"accept": {"type": "boolean"}}, ["accept"]))},
    "/events/{event_id}/calendar.ics": {"get": _op(
        "The event as an RFC 5545 calendar file (with the caller's check-in code)", "eventCalendar",
        {"200": _ok({"type": "string"}, media="text/calendar")},
        parameters=[EID, {"name": "utc", "in": "query", "schema": {"enum": ["1"]},
                          "description": "Times in UTC instead of the event's zone"}])},
    "/events/{event_id}/checkins": {"post": _op(
        "Check a talent in by registration id or by its one-time code", "checkIn",
        {"201": _ok("EventRegistration")}, parameters=[EID],
        requestBody=_body({"registration_id": {"type": "integer"}, "code": {"type": "string"}}))},
    "/events/{event_id}/attendees": {"get": _op(
        "Attendee list as JSON, CSV or XLSX", "eventAttendees", {"200": _ok(OBJ)}, parameters=[
            EID, {"name": "format", "in": "query", "schema": {"enum": ["json", "csv", "xlsx"]}},
            {"name": "attended", "in": "query", "schema": {"enum": ["1"]}}])},
    "/events/{event_id}/feedback": {
        "get": _op("Feedback summary (organizers)", "eventFeedback", {"200": _ok(OBJ)}, parameters=[EID]),
        "post": _op("An attendee's rating (1-5) and comment, once", "giveFeedback", {"201": _ok(OBJ)},
                    parameters=[EID], requestBody=_body({"rating": {"type": "integer", "minimum": 1, "maximum": 5},
                                                         "comment": {"type": "string"}}, ["rating"])),
    },
    "/events/{event_id}/materials": {
        "get": _op("Materials attached to the event", "eventMaterials", {"200": _ok(OBJ)}, parameters=[EID]),
        "post": _op("Upload a material (PDF, images, Office files; up to web.max_upload_mb, 10 MB by default; checked by content)", "uploadMaterial",
                    {"201": _ok(OBJ)}, parameters=[EID], requestBody={"required": True, "content": {
                        "multipart/form-data": {"schema": {"type": "object", "properties": {
                            "file": {"type": "string", "format": "binary"}}}}}}),
    },
    "/events/{event_id}/materials/{material_id}": {"get": _op(
        "Download a material", "downloadMaterial", {"200": {"description": "The file"}}, parameters=[EID, MID])},
    "/events/mine": {"get": _op("A talent's event history", "myEvents", {"200": _ok(OBJ)}, parameters=[TALENT_Q])},
    "/events/stats": {"get": _op("Events per month, registrations, attendance rate, fields covered", "eventStats",
                                 {"200": _ok(OBJ)})},
    "/events/proposals": {
        "get": _op("Topic and lecture proposals (organizers)", "listProposals", {"200": _ok(OBJ)},
                   parameters=[{"name": "status", "in": "query", "schema": {"enum": ["open", "accepted", "declined"]}}]),
        "post": _op("Propose a topic or offer a lecture", "propose", {"201": _ok(OBJ)},
                    requestBody=_body({"kind": {"enum": ["topic", "lecture"]}, "title": {"type": "string"},
                                       "description": {"type": "string"}}, ["kind", "title"])),
    },
    "/events/proposals/{proposal_id}/review": {"post": _op(
        "Answer a proposal", "reviewProposal", {"200": _ok(OBJ)}, parameters=[PID],
        requestBody=_body({"accept": {"type": "boolean"}, "response": {"type": "string"}}, ["accept"]))},
}
