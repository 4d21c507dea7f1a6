"""Every ``/api/v1`` request checked against the operation the OpenAPI document declares.

Views used to check types by hand, and missed some: numbers or nested lists
where lists of strings belong, strings for booleans, bodies that are not
objects, an ``If-Match`` of thousands of digits — each reached kb as the wrong
type and answered 500. Here the request's path, query and header parameters
and its JSON body are validated against the document (JSON Schema 2020-12, as
OpenAPI 3.1 uses) before the view runs, so a view sees only what the document
promises, and a client learns from one 400 problem document what was wrong:
``{"error": code, "detail": ..., "errors": {location: message}}``.

The document is also made to say what is enforced: an integer without
declared bounds gets the bounds of a database integer column, and every
operation with parameters or a body lists this 400, so the published
document, the checks here and the database agree.

Views are wrapped (not hooked with ``before_request``) so that the bearer-token
check, a blueprint hook, runs first: a request without a token is a 401
whatever its body.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request
from jsonschema import Draft202012Validator
from werkzeug.wrappers import Response

from kb.errors import ValidationError
from kb.json_limits import JsonRefused, loads_bounded
from web.errors import problem

API_PREFIX = "/api/v1"
MAX_INT = 2**31 - 1  # id and count columns are 32-bit integers on PostgreSQL
MIN_INT = -(2**31)
MAX_BODY_DEPTH = 16
MAX_REPORTED = 10
JSON = "application/json"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}
_RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_INTEGER = re.compile(r"-?\d{1,19}")
_NUMBER = re.compile(r"-?\d{1,19}(\.\d{1,19})?([eE][-+]?\d{1,3})?")

Validator = Draft202012Validator
REFUSAL = {"description": "A parameter or the body does not match this document (``error``, ``errors``)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


@dataclass
class Operation:
    """The validators of one declared operation."""

    path: dict[str, Validator] = field(default_factory=dict)
    query: dict[str, tuple[Validator, bool]] = field(default_factory=dict)
    headers: dict[str, tuple[Validator, bool]] = field(default_factory=dict)
    bodies: dict[str, Validator | None] = field(default_factory=dict)  # media type → validator (None: unchecked)
    body_required: bool = False


class RequestSchemas:
    """The document's operations, keyed by Flask rule and method, built once per app."""

    def __init__(self, spec: dict[str, Any]) -> None:
        declare_integer_bounds(spec)
        declare_refusal(spec)
        self.components = spec.get("components", {})
        self.operations: dict[tuple[str, str], Operation] = {}
        for path, item in spec.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    self.operations[(path, method.upper())] = self._operation(shared + op.get("parameters", []), op)

    def _validator(self, schema: dict[str, Any]) -> Validator:
        # Local $refs ("#/components/schemas/X") resolve against the root, so the root carries the components.
        root = {**schema, "components": self.components}
        return Validator(root, format_checker=Validator.FORMAT_CHECKER)

    def _operation(self, parameters: list[dict[str, Any]], op: dict[str, Any]) -> Operation:
        out = Operation()
        for param in parameters:
            validator = self._validator(param.get("schema", {}))
            where, name, required = param["in"], param["name"], bool(param.get("required"))
            if where == "path":
                out.path[name] = validator
            elif where == "query":
                out.query[name] = (validator, required)
            elif where == "header":
                out.headers[name] = (validator, required)
        body = op.get("requestBody")
        if body:
            out.body_required = bool(body.get("required"))
            for media, content in body.get("content", {}).items():
                out.bodies[media] = self._validator(content["schema"]) if media == JSON and "schema" in content \
                    else None
        return out

    def find(self, rule: str, method: str) -> Operation | None:
        path = _RULE_VARIABLE.sub(r"{\1}", rule.removeprefix(API_PREFIX)) or "/"
        return self.operations.get((path, "GET" if method == "HEAD" else method))


def declare_integer_bounds(node: Any) -> None:
    """Give every integer schema without bounds those of a database integer (idempotent)."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "integer" or isinstance(kind, list) and "integer" in kind:
            node.setdefault("minimum", MIN_INT)
            node.setdefault("maximum", MAX_INT)
        for value in node.values():
            declare_integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            declare_integer_bounds(value)


def declare_refusal(spec: dict[str, Any]) -> None:
    """Every operation that takes parameters or a body may answer this module's 400 (idempotent)."""
    for item in spec.get("paths", {}).values():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete") and (
                    op.get("parameters") or item.get("parameters") or op.get("requestBody")):
                op.setdefault("responses", {}).setdefault("400", REFUSAL)


# --------------------------------------------------------------------- checking one request

@dataclass
class Refusal:
    code: str
    detail: str
    errors: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        return problem(400, "Bad Request", self.detail, error=self.code, errors=self.errors)


def _messages(validator: Validator, value: Any, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in validator.iter_errors(value):
        location = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        out.setdefault(location, error.message[:300])
        if len(out) >= MAX_REPORTED:
            break
    return out


def _coerce(validator: Validator, raw: str) -> Any:
    """A query or header string as the type its schema declares (left as text when it does not parse,
    so the schema reports it)."""
    kind = validator.schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and _INTEGER.fullmatch(raw.strip()):
        return int(raw)
    if "number" in kinds and _NUMBER.fullmatch(raw.strip()):
        return float(raw)
    if "boolean" in kinds and raw.lower() in TRUE | FALSE:
        return raw.lower() in TRUE
    return raw


def _parameters(op: Operation) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, validator in op.path.items():
        if request.view_args and name in request.view_args:
            errors.update(_messages(validator, request.view_args[name], name))
    for name in request.args:
        if name not in op.query:
            errors[name[:80]] = "not a parameter of this operation"
    errors.update(_declared(op.query, request.args.get, typed=True))
    errors.update(_declared(op.headers, request.headers.get, typed=False))
    return errors


def _declared(
    params: Mapping[str, tuple[Validator, bool]], given: Callable[[str], str | None], *, typed: bool
) -> dict[str, str]:
    """Problems of declared query or header parameters: a required one missing, or a value its schema
    refuses (query strings read as their declared type first, headers checked as sent)."""
    errors: dict[str, str] = {}
    for name, (validator, required) in params.items():
        raw = given(name)
        if raw is None:
            if required:
                errors[name] = "required"
            continue
        errors.update(_messages(validator, _coerce(validator, raw) if typed else raw, name))
    return errors


def _body(op: Operation) -> Refusal | None:
    if not op.bodies:
        return None
    media = request.mimetype
    if media in FORM_TYPES:  # not read here: a multipart upload is parsed once, by the view
        data, present = b"", bool(request.content_length)
    else:
        data = request.get_data(cache=True)
        present = bool(data)
    if not present:
        return Refusal("missing_body", "this operation needs a request body") if op.body_required else None
    if media not in op.bodies:
        accepted = ", ".join(op.bodies)
        return Refusal("unsupported_media_type", f"send the body as {accepted}", {"Content-Type": accepted})
    validator = op.bodies[media]
    if validator is None:
        return None  # a form with files: its fields are checked by the view's kb function
    try:
        body = loads_bounded(data.decode("utf-8"), MAX_BODY_DEPTH)
    except UnicodeDecodeError:
        return Refusal("invalid_json", "the body is not UTF-8 text")
    except JsonRefused as exc:
        return Refusal("invalid_json", str(exc))
    errors = _messages(validator, body, "body")
    if errors:
        return Refusal("invalid_body", "the body does not match the operation's schema (see errors)", errors)
    return None


def check_request(schemas: RequestSchemas) -> Refusal | None:
    if request.url_rule is None:
        return None
    op = schemas.find(request.url_rule.rule, request.method)
    if op is None:
        return None
    errors = _parameters(op)
    if errors:
        return Refusal("invalid_parameter", "a parameter does not match the operation's schema (see errors)", errors)
    return _body(op)


# --------------------------------------------------------------------- wiring

EXTENSION = "api_request_schemas"


def _schemas() -> RequestSchemas:
    """Built on the first API request, when every feature has added its paths to the document."""
    app = current_app
    if EXTENSION not in app.extensions:
        from web.api.openapi import SPEC

        app.extensions[EXTENSION] = RequestSchemas(SPEC)
    schemas: RequestSchemas = app.extensions[EXTENSION]
    return schemas


def validated(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view, answering 400 instead of running when the request breaks the document."""
    if getattr(view, "_validated", False):
        return view

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refusal = check_request(_schemas())
        if refusal is not None:
            return refusal.response()
        return view(*args, **kwargs)

    wrapper._validated = True  # type: ignore[attr-defined]
    return wrapper


def validate_views(app: Flask, blueprint: str) -> None:
    """Wrap every view of ``blueprint`` on ``app`` (call once its routes are registered)."""
    for endpoint in _endpoints(app, blueprint):
        app.view_functions[endpoint] = validated(app.view_functions[endpoint])


def _endpoints(app: Flask, blueprint: str) -> Iterator[str]:
    prefix = blueprint + "."
    return (e for e in list(app.view_functions) if e.startswith(prefix))


def json_object() -> dict[str, Any]:
    """The request's JSON object, for the API views of every blueprint.

    ``validated`` has already checked it against the operation's declared schema; the
    type check stays for operations that declare no body, so a view never receives a
    list or a number where it reads keys."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object")
    return body
