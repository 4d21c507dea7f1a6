"""Plugging a feature's JSON API in beside its pages.

A feature (consultations, events) registers only its page blueprint in
``web/app.py``; this hook then registers its API blueprint, exempts it from
CSRF (it authenticates with bearer tokens, never cookies), adds its paths to
the OpenAPI document and validates its requests against them, so each feature
plugs in with one line.
"""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from web.api.validation import validate_views


def attach_api(pages: Blueprint, api: Blueprint, openapi_module: str) -> None:
    """Register ``api`` whenever ``pages`` is; ``openapi_module`` has ``PATHS`` and ``SCHEMAS``."""

    @pages.record_once
    def _register_api(state: BlueprintSetupState) -> None:
        from web.api.openapi import SPEC

        spec = import_module(openapi_module)
        state.app.register_blueprint(api)
        validate_views(state.app, api.name)  # its requests are checked against the document too
        state.app.extensions["csrf"].exempt(api)
        SPEC["paths"].update(spec.PATHS)
        SPEC.setdefault("components", {}).setdefault("schemas", {}).update(spec.SCHEMAS)
