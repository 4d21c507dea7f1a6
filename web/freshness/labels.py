"""Names of freshness states, digest frequencies and task kinds in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kb.models import Talent, utcnow
from kb.talents.digest import frequency_of
from kb.talents.freshness import age_days, state_of
from kb.talents.tasks import Task
from web.freshness import bp
from web.sessions import db, knowledge_base

STATE_LABELS = {"current": _l("及时更新"), "ageing": _l("有待更新"), "stale": _l("长期未更新")}
FREQUENCY_LABELS = {"monthly": _l("每月"), "weekly": _l("每周"), "off": _l("不发送")}


def task_text(task: Task) -> str:
    p = task.params
    if task.kind == "directions":
        return _("研究方向和成果已有 %(days)s 天未更新，请核对", days=p.get("days"))
    if task.kind == "harvested":
        return _("%(n)s 条从文件导入的成果待确认", n=p.get("count"))
    if task.kind == "proposal":
        return _("%(n)s 项资料修改待审核", n=p.get("count"))
    if task.kind == "consultation":
        return _("咨询邀请「%(title)s」待答复", title=p.get("title"))
    return _("活动邀请「%(title)s」待答复", title=p.get("title"))


def my_freshness() -> dict[str, Any] | None:
    """The signed-in talent's freshness and digest choice, for the account page."""
    if not current_user.is_authenticated or not current_user.talent_id:
        return None
    talent = db().get(Talent, current_user.talent_id)
    if talent is None:
        return None
    settings = knowledge_base().settings.freshness
    now = utcnow()
    return {"talent": talent, "state": state_of(talent, now, settings), "days": age_days(talent, now),
            "frequency": frequency_of(talent, settings), "own_choice": bool(talent.digest_frequency)}


def talent_freshness(talent: Talent) -> dict[str, Any]:
    """A profile's freshness and its commissioner, for the profile page."""
    settings = knowledge_base().settings.freshness
    now = utcnow()
    assignment = talent.current_assignment  # type: ignore[attr-defined]
    return {"state": state_of(talent, now, settings), "days": age_days(talent, now),
            "commissioner": assignment.commissioner_label if assignment is not None else ""}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"freshness_label": lambda s: STATE_LABELS.get(str(s), s),
            "frequency_label": lambda f: FREQUENCY_LABELS.get(str(f), f),
            "FREQUENCIES": tuple(FREQUENCY_LABELS), "task_text": task_text, "my_freshness": my_freshness,
            "talent_freshness": talent_freshness}
