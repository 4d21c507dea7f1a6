"""The "人才" field of the account and invitation forms: a name or an id, never only an id.

An administrator knows a talent by name; the registry's id shows on no page but the
address bar. The field takes either (kb.talents.lookup.talent_meant) and, when the text
fits nobody or several people, puts the reason on the field so the form comes back
with everything typed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from kb.models import Talent
from kb.talents.lookup import talent_meant
from web.sessions import db


class UnclearTalent(Exception):
    """The field's text fits nobody or several talents; the reason is on the field."""


def typed_talent(field: Any) -> Talent | None:
    """The talent ``field`` names (None when left empty), or ``UnclearTalent`` with the reason on it."""
    text = (field.data or "").strip()
    if not text:
        return None
    meant = talent_meant(db(), text)
    if isinstance(meant, Talent):
        return meant
    if not meant:
        field.errors = [_("没有找到“%(name)s”这位人才，请检查姓名或编号。", name=text)]
    else:
        field.errors = [_("有 %(n)s 位人才符合“%(name)s”：%(names)s。请输入全名或人才编号。", n=len(meant), name=text,
                          names=_("、").join(_("%(name)s（%(org)s）", name=t.name, org=t.external_id) for t in meant))]
    raise UnclearTalent(text)
