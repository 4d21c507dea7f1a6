"""Every state code has a label in both UI languages, so no page shows a raw code.

The codes are enums defined once in kb; a member added there without a label
here would show as ``in_progress`` on a page. Checked for every member, in
Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import pytest
from flask import Flask
from flask_babel import force_locale

from kb.consultations.enums import InvitationState, RequestState
from kb.events.enums import EventStatus, RegistrationStatus
from web.consultations.labels import invitation_label, state_label
from web.events.labels import event_status_label, registration_label

LABELLED: list[tuple[type[StrEnum], Callable[[str], str]]] = [
    (RequestState, state_label), (InvitationState, invitation_label), (EventStatus, event_status_label),
    (RegistrationStatus, registration_label),
]


@pytest.mark.parametrize(("codes", "label"), LABELLED, ids=[c.__name__ for c, _l in LABELLED])
def test_every_code_has_its_own_label_in_both_languages(app: Flask, codes: type[StrEnum],
                                                        label: Callable[[str], str]) -> None:
    with app.test_request_context():
        zh = {code: label(code) for code in codes}
        with force_locale("en"):
            en = {code: label(code) for code in codes}
    for code in codes:
        assert zh[code] != code.value, f"{codes.__name__}.{code.name} has no label"
        assert en[code] != zh[code], f"{codes.__name__}.{code.name} has no English label"
    assert len(set(zh.values())) == len(zh), f"two {codes.__name__} codes share a Chinese label"
    # A stored row gives a plain string: it gets the same label as the member.
    with app.test_request_context():
        assert all(label(code.value) == zh[code] for code in codes)
