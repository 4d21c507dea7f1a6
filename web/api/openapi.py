"""The OpenAPI 3.1 description of ``/api/v1``, kept as one dict beside the routes.

tests/web/test_api.py checks that every registered API route appears here, so
the document and the code cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

from kb.choices import values
from kb.roles import Role
from kb.talents.changes import CERTIFICATION_STATUSES, EDITABLE
from kb.talents.harvest.detect import FORMATS as HARVEST_FORMATS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _json(schema: dict[str, Any], description: str = "OK", headers: dict | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


ETAG = {"ETag": {"description": "The talent's profile version, for If-Match", "schema": {"type": "string"}}}
COMMON = {"401": _problem("No valid bearer token"), "403": _problem("The account may not do this")}
TALENT_ID = {"name": "talent_id", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "The talent's stable external id"}
OUTPUT_ID = {"name": "output_id", "in": "path", "required": True, "schema": {"type": "integer"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "schema": {"type": "string", "maxLength": 16, "pattern": r'^\s*(\*|(W/)?"?[0-9]{1,9}"?)?\s*$'},
            "description": "Profile version read earlier (\"7\"); a newer version gives 409"}

OUTPUT_PROPS: dict[str, Any] = {
    "type": {"type": "string", "description": "Output type code from the taxonomy"},
    "title": {"type": "string", "maxLength": 500},
    "year": {"type": ["integer", "null"], "minimum": 1950, "maximum": 2100},
    "venue": {"type": "string", "maxLength": 300},
    "abstract": {"type": "string", "maxLength": 10000},
    "url": {"type": "string", "maxLength": 1000},
    "doi": {"type": "string", "maxLength": 200},
    "number": {"type": "string", "maxLength": 100, "description": "Patent or standard number"},
    "authors": {"type": "array", "maxItems": 500, "items": {"type": "string", "maxLength": 200}},
    "keywords": {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": 200}},
}

TEXT_LIST = {"type": "array", "items": {"type": "string"}}
# The type of each field PATCH may change (kb checks the values: taxonomy codes, lengths). A field
# added to EDITABLE without a type here fails at import, so the API never takes it untyped.
PATCH_TYPES: dict[str, Any] = {
    "category": {"type": "string"}, "certification_status": {"enum": list(CERTIFICATION_STATUSES)},
    "certified_on": {"type": ["string", "null"], "format": "date"},
    "name": {"type": "string"}, "name_en": {"type": "string"}, "title": {"type": "string"},
    "organization": {"type": "string"}, "fields": TEXT_LIST, "bio": {"type": "string"},
    "research_directions": TEXT_LIST, "languages": TEXT_LIST,
    "available_for_consultation": {"type": "boolean"}, "accepts_event_invitations": {"type": "boolean"},
}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Luohu talent think-tank knowledge base API",
        "version": "1.0.0",
        "description": (
            "Expert search and self-service profile maintenance. Authenticate with "
            "`Authorization: Bearer <token>` (`kb users token USERNAME`, or the account page). "
            "Errors are RFC 9457 problem documents. Contact data appears only where the account may see it, "
            "and every such view is audited; search results never contain contact data."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/openapi.json": {"get": {
            "summary": "This document", "security": [], "operationId": "openapi",
            "responses": {"200": _json({"type": "object"})},
        }},
        "/me": {"get": {
            "summary": "The account behind the token", "operationId": "me",
            "responses": {"200": _json(_ref("Me")), **COMMON},
        }},
        "/search": {"get": {
            "summary": "Find experts for a need written in Chinese or English", "operationId": "search",
            "parameters": [
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
                 "description": "The need in plain words; only its first 2000 characters are used"},
                {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                {"name": "category", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated: A,B"},
                {"name": "field", "in": "query", "schema": {"type": "string"},
                 "description": "Comma-separated field codes: banking,funds"},
                {"name": "available", "in": "query", "schema": {"type": "boolean"},
                 "description": "Only talents (not) available for consultation"},
                {"name": "lang", "in": "query", "schema": {"type": "string"},
                 "description": "Comma-separated working languages: zh,en"},
            ],
            "responses": {"200": _json(_ref("SearchResponse")), "400": _problem("Bad parameters"),
                          "503": _problem("The search service is unreachable"), **COMMON},
        }, "post": {
            "summary": "The same search with the parameters in a JSON body (for needs too long for a URL)",
            "operationId": "searchLong",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["q"], "properties": {
                    "q": {"type": "string", "maxLength": 100000,
                          "description": "The need in plain words; only its first 2000 characters are used"},
                    "k": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
                    "offset": {"type": "integer", "minimum": 0, "default": 0},
                    "category": {"type": "string"}, "field": {"type": "string"},
                    "available": {"type": "boolean"}, "lang": {"type": "string"},
                }}}}},
            "responses": {"200": _json(_ref("SearchResponse")), "400": _problem("Bad parameters"),
                          "503": _problem("The search service is unreachable"), **COMMON},
        }},
        "/talents/{talent_id}": {
            "get": {
                "summary": "A talent profile (contact only if allowed, and audited)", "operationId": "getTalent",
                "parameters": [TALENT_ID],
                "responses": {"200": _json(_ref("Talent"), headers=ETAG), "404": _problem("No such talent"), **COMMON},
            },
            "patch": {
                "summary": "Change profile fields", "operationId": "patchTalent",
                "description": (
                    "Self-service fields apply at once. A talent's changes to name, name_en, title, organization "
                    "and fields wait for a commissioner's review (listed in pending_review). Certified facts "
                    "(category, certification_status, certified_on) are for staff only."
                ),
                "parameters": [TALENT_ID, IF_MATCH],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("TalentPatch")}}},
                "responses": {
                    "200": _json(_ref("Talent"), headers=ETAG), "400": _problem("Invalid values"),
                    "404": _problem("No such talent"), "409": _problem("Changed by someone else since that version"),
                    **COMMON,
                },
            },
        },
        "/talents/{talent_id}/outputs": {
            "get": {
                "summary": "A talent's outputs", "operationId": "listOutputs", "parameters": [TALENT_ID],
                "responses": {"200": _json({
                    "type": "object",
                    "properties": {"talent": {"type": "string"}, "version": {"type": "integer"},
                                   "outputs": {"type": "array", "items": _ref("Output")}},
                }, headers=ETAG), "404": _problem("No such talent"), **COMMON},
            },
            "post": {
                "summary": "Add an output", "operationId": "createOutput", "parameters": [TALENT_ID, IF_MATCH],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("OutputInput")}}},
                "responses": {"201": _json(_ref("Output"), "Created", headers=ETAG), "400": _problem("Invalid values"),
                              "404": _problem("No such talent"), "409": _problem("Version conflict"), **COMMON},
            },
        },
        "/talents/{talent_id}/outputs/import": {"post": {
            "summary": "Harvest outputs from a file: preview (upload), then claim (confirm)",
            "operationId": "importOutputs",
            "description": (
                "Upload a BibTeX, RIS, CSL-JSON, EndNote XML, ORCID record or patent CSV/XLSX file as "
                "multipart/form-data (`file`, optional `format`): nothing is saved on the profile; the answer "
                "lists the parsed items with their ids, duplicate flags and errors, kept as pending items of a "
                "`batch`. Then send JSON `{\"batch\", \"claim\": [item ids]}`: the claimed items become "
                "outputs (one revision, searchable within a second), the batch's other pending items are "
                "rejected. A talent imports into its own profile; commissioners and admins into any, recorded "
                "as delegated."
            ),
            "parameters": [TALENT_ID],
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "format": {"enum": ["auto", *HARVEST_FORMATS], "default": "auto"}}}},
                "application/json": {"schema": {
                    "type": "object", "required": ["batch", "claim"], "additionalProperties": False,
                    "properties": {
                        "batch": {"type": "string", "minLength": 1, "maxLength": 32},
                        "claim": {"type": "array", "maxItems": 50000, "uniqueItems": True,
                                  "items": {"type": "integer", "minimum": 1}},
                    }}},
            }},
            "responses": {
                "200": _json(_ref("HarvestResult"), headers=ETAG), "400": _problem("Unreadable file or values"),
                "404": _problem("No such talent or batch"), "409": _problem("Items already claimed or rejected"),
                "413": _problem("The file is larger than the upload limit"), **COMMON,
            },
        }},
        "/talents/{talent_id}/outputs/{output_id}": {
            "put": {
                "summary": "Replace an output", "operationId": "updateOutput",
                "parameters": [TALENT_ID, OUTPUT_ID, IF_MATCH],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("OutputInput")}}},
                "responses": {"200": _json(_ref("Output"), headers=ETAG), "400": _problem("Invalid values"),
                              "404": _problem("No such talent or output"), "409": _problem("Version conflict"),
                              **COMMON},
            },
            "delete": {
                "summary": "Delete an output", "operationId": "deleteOutput",
                "parameters": [TALENT_ID, OUTPUT_ID, IF_MATCH],
                "responses": {"204": {"description": "Deleted", "headers": ETAG},
                              "404": _problem("No such talent or output"), "409": _problem("Version conflict"),
                              **COMMON},
            },
        },
        "/tokens": {"get": {
            "summary": "The account's API tokens (never their secrets)", "operationId": "listTokens",
            "responses": {"200": _json({"type": "object", "required": ["tokens"], "properties": {
                "tokens": {"type": "array", "items": _ref("ApiToken")}}}), **COMMON},
        }},
        "/tokens/{token_id}": {"delete": {
            "summary": "Revoke a token", "operationId": "revokeToken",
            "description": "The account's own token, or any token for an administrator. Revoking a revoked "
                           "token is not an error. Tokens are created on the account page, not here.",
            "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "The token's id from GET /tokens (not its secret)"}],
            "responses": {"204": {"description": "Revoked"}, "404": _problem("No such token of this account"),
                          **COMMON},
        }},
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Field → message, for invalid values"},
            }},
            "Me": {"type": "object", "properties": {
                "username": {"type": "string"}, "display_name": {"type": "string"},
                "role": {"enum": values(Role)},
                "unit": {"type": "string"}, "email": {"type": "string"},
                "talent_id": {"type": ["string", "null"]}, "preferred_language": {"type": "string"},
            }},
            "ApiToken": {"type": "object", "properties": {
                "id": {"type": "string"}, "label": {"type": "string"},
                "state": {"enum": ["active", "expired", "revoked"]},
                "created_at": {"type": "string", "format": "date-time"},
                "last_used_at": {"type": ["string", "null"], "format": "date-time"},
                "expires_at": {"type": ["string", "null"], "format": "date-time"},
                "revoked_at": {"type": ["string", "null"], "format": "date-time"},
                "revoked_reason": {"type": ["string", "null"],
                                   "enum": ["owner", "admin", "password_change", "password_reset", "disabled", None]},
            }},
            "Evidence": {"type": "object", "properties": {
                "kind": {"enum": ["direction", "profile", "bio", "output"]}, "ref": {"type": "string"},
                "text": {"type": "string"}, "score": {"type": "number"}, "matched_by": {"type": "string"},
            }},
            "SearchResult": {"type": "object", "properties": {
                "id": {"type": "string"}, "score": {"type": "number"},
                "match": {"enum": ["strong", "partial", "weak", None],
                          "description": "How well the expert fits the need (null when browsing)"},
                "name": {"type": "string"}, "name_en": {"type": "string"}, "category": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}}, "title": {"type": "string"},
                "organization": {"type": "string"}, "available": {"type": "boolean"},
                "evidence": {"type": "array", "items": _ref("Evidence")},
            }},
            "SearchResponse": {"type": "object", "properties": {
                "query": {"type": "string"}, "offset": {"type": "integer"},
                "total": {"type": "integer", "description": "Results to page through: good matches, then weak ones"},
                "matched": {"type": "integer", "description": "Experts who match well (strong or partial)"},
                "limit": {"type": "integer"}, "took_ms": {"type": "number"},
                "results": {"type": "array", "items": _ref("SearchResult")},
                "facets": {"type": "object", "additionalProperties": {
                    "type": "object", "additionalProperties": {"type": "integer"}}},
            }},
            "Output": {"type": "object", "properties": {"id": {"type": "integer"}, **OUTPUT_PROPS,
                                                         "version": {"type": "integer"}}},
            "OutputInput": {"type": "object", "required": ["type", "title"], "properties": {
                **OUTPUT_PROPS, "version": {"type": "integer", "description": "Instead of If-Match"}}},
            "HarvestedItem": {"type": "object", "properties": {
                "id": {"type": "integer", "description": "What confirm's claim lists"},
                "item": {"type": "integer", "description": "Position in the file, from 1"},
                "state": {"enum": ["pending", "claimed", "rejected", "failed"]},
                "values": {"type": "object", "properties": OUTPUT_PROPS,
                           "description": "The output as it would be saved"},
                "duplicate": {"type": ["object", "null"], "properties": {
                    "kind": {"enum": ["existing", "file"]},
                    "ref": {"type": "integer", "description": "The output's id, or the item's position"},
                    "reason": {"enum": ["doi", "number", "title"]}, "score": {"type": "number"},
                    "title": {"type": "string"}}},
                "notes": {"type": "array", "items": {"type": "string"}},
                "error": {"type": ["string", "null"]},
            }},
            "HarvestResult": {"type": "object", "properties": {
                "talent": {"type": "string"}, "batch": {"type": "string"}, "format": {"type": "string"},
                "parsed": {"type": "integer"}, "duplicates": {"type": "integer"},
                "created": {"type": "integer", "description": "After confirm: outputs added"},
                "failed": {"type": "array", "items": {"type": "object", "properties": {
                    "item": {"type": "integer"}, "error": {"type": "string"}}}},
                "items": {"type": "array", "items": _ref("HarvestedItem")},
                "outputs": {"type": "array", "items": _ref("Output"), "description": "After confirm"},
                "version": {"type": "integer"},
            }},
            "Contact": {"type": "object", "properties": {"email": {"type": "string"}, "phone": {"type": "string"}}},
            "Talent": {"type": "object", "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"},
                "category": {"type": "string"}, "certification_status": {"enum": list(CERTIFICATION_STATUSES)},
                "certified_on": {"type": ["string", "null"], "format": "date"},
                "title": {"type": "string"}, "organization": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}},
                "research_directions": {"type": "array", "items": {"type": "string"}},
                "bio": {"type": "string"}, "languages": {"type": "array", "items": {"type": "string"}},
                "available_for_consultation": {"type": "boolean"}, "updated_at": {"type": "string"},
                "version": {"type": "integer"}, "outputs": {"type": "array", "items": _ref("Output")},
                "contact": {**_ref("Contact"), "description": "Only when the account may see it"},
                "pending_review": {"type": "array", "items": {"type": "string"},
                                   "description": "After PATCH: fields waiting for review"},
            }},
            "TalentPatch": {
                "type": "object",
                "properties": {
                    **{k: PATCH_TYPES[k] for k in EDITABLE if k not in ("email", "phone")},
                    "contact": {"type": "object", "additionalProperties": False, "properties": {
                        "email": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]}}},
                    "version": {"type": "integer", "description": "Instead of If-Match"},
                },
                "additionalProperties": False,
            },
        },
    },
}

# Knowledge search (issue 17): its operation and schemas live beside its view.
from web.api.knowledge_spec import PATHS as _KNOWLEDGE_PATHS  # noqa: E402
from web.api.knowledge_spec import SCHEMAS as _KNOWLEDGE_SCHEMAS  # noqa: E402

SPEC["paths"].update(_KNOWLEDGE_PATHS)
SPEC["components"]["schemas"].update(_KNOWLEDGE_SCHEMAS)
