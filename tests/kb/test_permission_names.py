"""Permission actions and roles are enums defined once, and a misspelt action fails loudly.

Before, ``allowed(actor, "talent.edti")`` answered False: a typo looked exactly
like a correct refusal and hid the page or button for everyone. Now an
unknown action raises, and every action named anywhere in kb/ or web/
(Python or templates) is checked against the enum here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.actors import Actor
from kb.models import ROLES
from kb.permissions import OBJECT_RULES, ROLE_MATRIX, Permission, allowed, require
from kb.roles import Role

ROOT = Path(__file__).resolve().parents[2]
# allowed(actor, "x") / require(actor, "x", obj) / can("x") in Python and Jinja templates
ACTION_USE = re.compile(r"\b(?:allowed|require|can)\((?:[^()\"']*?,\s*)?[\"']([a-z_.]+)[\"']")
ACTORS = [None, Actor.system("test")] + [Actor(1, role.value, role.value, talent_id=1, unit="u") for role in Role]


def _uses() -> list[tuple[str, str]]:
    found = []
    for folder in ("kb", "web"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                for name in ACTION_USE.findall(path.read_text(encoding="utf-8")):
                    found.append((str(path.relative_to(ROOT)), name))
    return found


USES = _uses()


def test_the_source_scan_finds_the_actions_it_checks() -> None:
    """The scan below is only worth something if it sees the real call sites."""
    names = {name for _where, name in USES}
    assert {"talent.edit", "consultation.manage", "event.manage", "users.manage"} <= names


@pytest.mark.parametrize(("where", "name"), USES, ids=[f"{w}:{n}" for w, n in USES])
def test_every_action_named_in_the_code_is_a_permission(where: str, name: str) -> None:
    assert name in set(Permission), f"{where} asks for unknown permission {name!r}"


def test_the_matrix_covers_every_permission_with_known_roles() -> None:
    assert set(ROLE_MATRIX) == set(Permission)
    assert set(OBJECT_RULES) <= set(Permission)
    for action, roles in ROLE_MATRIX.items():
        assert roles, f"{action}: no role may do it"
        assert roles <= set(Role), f"{action}: unknown role in {sorted(roles)}"


def test_enum_values_are_the_stored_strings() -> None:
    """Stored rows and URLs keep their strings: the enum members equal them."""
    assert ROLES == ("talent", "researcher", "organizer", "commissioner", "admin")
    assert Role.TALENT == "talent" and Permission.TALENT_EDIT == "talent.edit"


@given(name=st.text(max_size=30).filter(lambda s: s not in set(Permission)))
def test_an_unknown_action_raises_for_every_actor(name: str) -> None:
    for actor in ACTORS:
        with pytest.raises(ValueError):
            allowed(actor, name)
        with pytest.raises(ValueError):
            require(actor, name)


@pytest.mark.parametrize("name", ["talent.edti", "Talent.edit", "talent.edit ", "event.manager", ""])
def test_near_misses_raise(name: str) -> None:
    with pytest.raises(ValueError):
        allowed(Actor.system("test"), name)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", [p for p in Permission if p not in OBJECT_RULES])
def test_object_free_actions_follow_the_matrix(role: Role, action: Permission) -> None:
    actor = Actor(1, "someone", role.value)
    assert allowed(actor, action) == (role in ROLE_MATRIX[action])
    assert allowed(actor, action.value) == allowed(actor, action), "a plain string means the same as the member"
