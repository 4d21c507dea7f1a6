"""An event's time says its zone as people say it (北京时间 / Beijing time), not the IANA id.

The event page, the list and the notices in the inbox once read "14:30–16:30 (Asia/Shanghai)". Every zone the
event form offers has a name in both languages; a zone typed outside that list keeps its id.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_babel import force_locale

from kb.events.times import ZONE_NAMES
from web.events.labels import zone_label
from web.events.views import COMMON_ZONES

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("zone", COMMON_ZONES)
def test_every_offered_zone_has_a_name_in_both_languages(app: Flask, zone: str) -> None:
    with app.test_request_context():
        zh = zone_label(zone)
        with force_locale("en"):
            en = zone_label(zone)
    assert CJK.search(zh) and "/" not in zh, zh
    assert not CJK.search(en) and "/" not in en, en


def test_a_zone_without_a_name_keeps_its_id(app: Flask) -> None:
    with app.test_request_context():
        assert zone_label("Pacific/Auckland") == "Pacific/Auckland"


def test_pages_and_notices_name_the_same_zones(app: Flask) -> None:
    """A notice (kb, Chinese) and a page (web, the reader's language) say the same zone the same way."""
    assert set(ZONE_NAMES) == set(COMMON_ZONES)
    with app.test_request_context():
        assert {z: zone_label(z) for z in COMMON_ZONES} == ZONE_NAMES
