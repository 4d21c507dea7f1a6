"""Fixtures for the consultation tests: people, talents, a stand-in search.

The ``kb`` fixture (SQLite, and PostgreSQL when configured) comes from the kb
tests so the same tests run on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from kb.accounts import create_user
from kb.actors import Actor
from kb.consultations.requests import create_request, open_request
from kb.consultations.settings import ConsultationSettings
from kb.talents import changes as ops
from tests.kb.conftest import postgres_kb, record, sqlite_kb  # noqa: F401 - fixtures used by name

SYSTEM = Actor.system("test")
UNIT = "罗湖区发展和改革局"

# id, name, organization, available
EXPERTS = [
    ("c-1", "林海", "深港金融研究院", True),
    ("c-2", "周宁", "前海数字金融研究中心", True),
    ("c-3", "陈雪", "深圳大学经济学院", True),
    ("c-4", "王立", "深圳大学经济学院", True),
    ("c-5", "赵敏", "招商银行深圳分行", True),
    ("c-6", "孙强", "华南理工大学", False),
    ("c-7", "李娜", "中山大学岭南学院", True),
    ("c-8", "吴杰", "香港大学", True),
]


@dataclass
class FakeResult:
    talent_id: str
    score: float
    evidence: list[Any] = field(default_factory=list)
    match: str = "strong"


@dataclass
class FakeEvidence:
    kind: str
    ref: str
    text: str
    highlighted: str
    score: float
    matched_by: str


class FakeSearch:
    """Answers every query with the given talents in order (those in ``weak`` labelled
    weak, the others strong, good matches first as the engine orders them); records the queries."""

    def __init__(self, ids: list[str], weak: tuple[str, ...] = ()) -> None:
        self.ids = [t for t in ids if t not in weak] + [t for t in ids if t in weak]
        self.weak = set(weak)
        self.queries: list[Any] = []

    def search(self, query: Any) -> Any:
        self.queries.append(query)
        results = [FakeResult(tid, 1.0 - n / 100, [FakeEvidence("direction", "0", "供应链金融", "<mark>供应链</mark>金融",
                                                                0.5, "both")],
                              "weak" if tid in self.weak else "strong")
                   for n, tid in enumerate(self.ids)]

        class Response:
            pass

        r = Response()
        r.results = results[: query.limit]
        r.total = len(results)
        r.matched = len([t for t in self.ids if t not in self.weak])
        return r


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kb(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The same tests on both databases, as in tests/kb."""
    return request.getfixturevalue(f"{request.param}_kb")


@pytest.fixture
def people(kb):  # type: ignore[no-untyped-def]
    """Eight experts with accounts, and researchers, admin, commissioner accounts."""
    actors: dict[str, Actor] = {}
    with kb.sessions() as s, s.begin():
        for rid, name, org, available in EXPERTS:
            t, _ = ops.apply_record(s, record(rid, name=name, organization=org, available_for_consultation=available,
                                              contact={"email": f"{rid}@example.org"}), SYSTEM)
            actors[rid] = Actor.of(create_user(s, SYSTEM, f"user-{rid}", "talent", None, talent=t,
                                               email=f"{rid}@example.org"))
        actors["researcher"] = Actor.of(create_user(s, SYSTEM, "researcher", "researcher", None, unit=UNIT,
                                                    email="researcher@example.org", display_name="研究员甲"))
        actors["other_researcher"] = Actor.of(create_user(s, SYSTEM, "other", "researcher", None, unit="福田区科技局"))
        for role in ("admin", "commissioner", "organizer"):
            actors[role] = Actor.of(create_user(s, SYSTEM, role, role, None))
    return actors


def need(**over: Any) -> dict[str, Any]:
    values = {
        "title": "罗湖区供应链金融扶持政策咨询",
        "background": "罗湖区拟出台支持中小企业供应链金融发展的扶持措施。",
        "questions": "1. 如何设计风险补偿机制？2. 跨境人民币结算有哪些可借鉴做法？",
        "fields": ["banking"],
        "deadline": date.today() + timedelta(days=20),
        "experts_wanted": 3,
        "form": "written",
        "confidentiality": "unit",
        "parties": [],
    }
    values.update(over)
    return values


def open_new(kb, actor: Actor, **over: Any) -> int:  # type: ignore[no-untyped-def]
    """File and publish a request; returns its id."""
    with kb.sessions() as s, s.begin():
        req = create_request(s, actor, need(**over))
        open_request(s, actor, req)
        return req.id


@pytest.fixture
def csettings() -> ConsultationSettings:
    return ConsultationSettings()
