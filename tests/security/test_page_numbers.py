"""Numbers that pages read from forms and query strings, given text, nothing, negatives,
numbers beyond any integer column and 5,000 digits: refused or bounded, never a 500.

Found by a probe for issue 15: the event check-in form's registration id reached
``int()`` (ValueError) or the database (OverflowError), and the admin talent list's
``page`` became an SQL offset beyond any integer. The API's numbers are checked
against the OpenAPI document (tests/security/test_api_validation.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.security.conftest import World
from tests.web.conftest import csrf_token

NOT_NUMBERS = ["abc", "", "-1", "1.5", "٣", "²", "9" * 40, "9" * 5000]
Call = Callable[[World, dict[str, FlaskClient], str], int]


def _checkin(undo: bool) -> Call:
    def call(world: World, clients: dict[str, FlaskClient], value: str) -> int:
        org = clients["organizer"]
        data = {"registration_id": value, "csrf_token": csrf_token(org, "/account")}
        if undo:
            data["undo"] = "1"
        return org.post(f"/events/{world.ids['own']['event']}/checkin", data=data).status_code
    return call


def _draw(world: World, clients: dict[str, FlaskClient], value: str) -> int:
    admin = clients["admin"]
    return admin.post(f"/consultations/{world.ids['own']['request']}/draw",
                      data={"pool_size": value, "count": value, "csrf_token": csrf_token(admin, "/account")}).status_code


PAGES: dict[str, Call] = {
    "event check-in": _checkin(undo=False),
    "undo a check-in": _checkin(undo=True),
    "consultation draw": _draw,
    "admin talent list page": lambda w, c, v: c["admin"].get(f"/admin/talents?page={v}").status_code,
    "search page": lambda w, c, v: c["researcher"].get(f"/search?q=x&page={v}").status_code,
    "knowledge search page": lambda w, c, v: c["researcher"].get(f"/knowledge?q=x&page={v}").status_code,
    "event audience limit": lambda w, c, v: c["organizer"].get(
        f"/events/{w.ids['own']['event']}/audience?limit={v}").status_code,
}


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("page", list(PAGES))
def test_a_number_that_is_not_one_is_never_a_server_error(world: World, web_clients: dict[str, FlaskClient],
                                                           page: str, value: str) -> None:
    status = PAGES[page](world, web_clients, value)
    assert status < 500, (page, value[:20], status)
