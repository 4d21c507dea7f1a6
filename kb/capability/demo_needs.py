"""Consultation needs of the past year for the demo, so the capability map has gaps and workload to show.

The demo's talents come with no consultation history; without one the map's
supply gaps, workload concentration and never-asked list would be empty on a
fresh demo. These needs are filed, opened and answered with invitations
through the kb functions, as a researcher would, then dated back over the
last twelve months. Each need invites the talents of its fields, always the
first ones of the registry (as in practice: the ones everybody knows), so the
load concentrates and others who match are never asked; three needs are on
subjects the pool does not cover (volcanoes, fossils, beekeeping), so they
come out as gaps. The invitation notices are dated with their need and read:
a year of history must not greet the demo talent as a pile of unread invitations.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.consultations.invitations import invite
from kb.consultations.requests import create_request, open_request
from kb.errors import KbError
from kb.models import Notification, Talent, User, utcnow
from kb.models.consultation import ConsultationRequest

#: (title, questions, fields, confidentiality, days ago)
NEEDS: tuple[tuple[str, str, list[str], str, int], ...] = (
    ("低空经济无人机物流配送航线审批", "末端配送航线如何审批？起降点如何布局？", ["aerospace"], "public", 330),
    ("跨境电商独立站合规与海外仓建设", "独立站的数据合规和海外仓选址有哪些风险？", ["ecommerce"], "unit", 300),
    ("城中村改造中的垃圾分类与社区治理", "城中村垃圾分类如何长效运行？", ["green_tech"], "public", 260),
    ("水贝黄金珠宝产业的供应链金融", "黄金存货质押融资如何防范风险？", ["banking"], "confidential", 220),
    ("私募基金登记备案新规对辖区机构的影响", "新规下辖区私募管理人如何整改？", ["funds"], "unit", 180),
    ("公共数据授权运营与数据要素流通", "公共数据授权运营的收益如何分配？", ["big_data"], "public", 150),
    ("火山喷发前兆监测与预警", "火山喷发前兆如何监测和预警？", ["marine_economy"], "public", 120),
    ("古生物化石产地保护与研学", "古生物化石产地如何保护并开放研学？", ["cultural_creative"], "confidential", 90),
    ("城市养蜂与蜂群病害防控", "屋顶养蜂的蜂群病害如何防控？", ["life_health"], "unit", 60),
    ("储能电站安全标准与消防审批", "用户侧储能电站的消防审批流程如何优化？", ["new_energy"], "public", 30),
)
#: How many experts of its fields each need invites (the first of the registry's order).
INVITED = 5
UNIT = "罗湖区发展研究中心"


def seed_demo_needs(session: Session) -> int:
    """File the demo's needs once (nothing when any of them exists); returns how many were filed."""
    titles = [n[0] for n in NEEDS]
    if session.scalar(select(ConsultationRequest.id).where(ConsultationRequest.title.in_(titles)).limit(1)):
        return 0
    user = session.scalar(select(User).where(User.role == "researcher", User.unit == UNIT).order_by(User.id))
    if user is None:
        return 0
    researcher = Actor.of(user)
    pool = list(session.scalars(
        select(Talent).where(Talent.available_for_consultation.is_(True)).order_by(Talent.external_id)))
    now = utcnow()
    for title, questions, fields, confidentiality, days_ago in NEEDS:
        when = now - timedelta(days=days_ago)
        request = create_request(session, researcher, {
            "title": title, "questions": questions, "fields": fields, "confidentiality": confidentiality,
            "experts_wanted": INVITED, "deadline": (now + timedelta(days=30)).date(),
        })
        open_request(session, researcher, request)
        session.flush()
        last_notice = session.scalar(select(func.max(Notification.id))) or 0
        for talent in [t for t in pool if set(t.fields or ()) & set(fields)][:INVITED]:
            try:
                invite(session, researcher, request, [talent], now=when)
            except KbError:  # screened out (a conflict of interest): a researcher would pick another
                continue
        session.flush()
        session.execute(update(Notification).where(Notification.id > last_notice)
                        .values(created_at=when, read_at=when))
        request.created_at, request.deadline = when, (when + timedelta(days=30)).date()
    session.flush()
    return len(NEEDS)
