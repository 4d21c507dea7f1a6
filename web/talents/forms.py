"""The profile, output and employment-history forms, and their translation into kb input.

The form only gathers input; which changes apply at once, which wait for a
commissioner's review and which are refused is decided by
``kb.talents.update_profile``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from kb.models import Talent, utcnow
from kb.talents.changes import CERTIFICATION_STATUSES, CERTIFIED_FACTS
from kb.taxonomy import load_taxonomy
from web.forms import lines
from web.templating import LANGUAGE_NAMES


class ProfileForm(FlaskForm):
    version = HiddenField()
    # self-service
    bio = TextAreaField(_l("个人简介"), validators=[Length(max=5000)])
    research_directions = TextAreaField(_l("研究方向（每行一项）"))
    languages = SelectMultipleField(_l("工作语言"), choices=[], validate_choice=False)
    available_for_consultation = BooleanField(_l("接受政策咨询"))
    accepts_event_invitations = BooleanField(_l("接受活动邀请"))
    email = StringField(_l("电子邮箱"), validators=[Length(max=200)])
    phone = StringField(_l("联系电话"), validators=[Length(max=50)])
    # reviewed facts
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("英文名"), validators=[Length(max=200)])
    title = StringField(_l("职务职称"), validators=[Length(max=200)])
    organization = StringField(_l("工作单位"), validators=[Length(max=200)])
    fields = SelectMultipleField(_l("产业领域"), choices=[], validate_choice=False)
    # certified facts
    category = SelectField(_l("人才类别"), choices=[], validate_choice=False)
    certification_status = SelectField(_l("认定状态"), choices=[], validate_choice=False)
    certified_on = DateField(_l("认定日期"), validators=[Optional()])

    def fill_choices(self, talent: Talent) -> None:
        tax = load_taxonomy()
        codes = list(LANGUAGE_NAMES) + [c for c in talent.languages if c not in LANGUAGE_NAMES]
        self.language_codes = codes
        self.languages.choices = codes
        self.fields.choices = list(tax.fields)
        self.category.choices = list(tax.categories)
        self.certification_status.choices = list(CERTIFICATION_STATUSES)

    @classmethod
    def for_talent(cls, talent: Talent, contact: dict[str, str] | None) -> ProfileForm:
        form = cls(data={
            "version": str(talent.version), "bio": talent.bio,
            "research_directions": "\n".join(talent.research_directions),
            "languages": list(talent.languages),
            "available_for_consultation": talent.available_for_consultation,
            "accepts_event_invitations": talent.accepts_event_invitations,
            "email": (contact or {}).get("email", ""), "phone": (contact or {}).get("phone", ""),
            "name": talent.name, "name_en": talent.name_en, "title": talent.title,
            "organization": talent.organization, "fields": list(talent.fields),
            "category": talent.category, "certification_status": talent.certification_status,
            "certified_on": talent.certified_on,
        })
        form.fill_choices(talent)
        return form

    def changes(self, submitted: MultiDict[str, str]) -> dict[str, Any]:
        """The kb change dict. Certified facts are passed only when the form
        carried them, so kb (not this form) refuses them for a talent."""
        out: dict[str, Any] = {
            "bio": (self.bio.data or "").strip(),
            "research_directions": lines(self.research_directions.data),
            "languages": list(dict.fromkeys(self.languages.data or [])),
            "available_for_consultation": bool(self.available_for_consultation.data),
            "accepts_event_invitations": bool(self.accepts_event_invitations.data),
            "email": (self.email.data or "").strip(),
            "phone": (self.phone.data or "").strip(),
            "name": (self.name.data or "").strip(),
            "name_en": (self.name_en.data or "").strip(),
            "title": (self.title.data or "").strip(),
            "organization": (self.organization.data or "").strip(),
            "fields": list(dict.fromkeys(self.fields.data or [])),
        }
        for key in CERTIFIED_FACTS:
            if key in submitted:
                value: Any = getattr(self, key).data
                if key == "certified_on" and not isinstance(value, date):
                    value = None
                out[key] = value
        return out

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class OutputForm(FlaskForm):
    version = HiddenField()
    type = SelectField(_l("成果类型"), choices=[], validate_choice=False)
    title = StringField(_l("成果名称"), validators=[DataRequired(), Length(max=500)])
    year = IntegerField(_l("年份"), validators=[Optional(), NumberRange(1950, 2100)])
    venue = StringField(_l("发表载体 / 委托方 / 授权机构"), validators=[Length(max=300)])
    abstract = TextAreaField(_l("摘要"), validators=[Length(max=10000)])
    url = StringField(_l("链接"), validators=[Length(max=1000)])

    def fill_choices(self) -> None:
        self.type.choices = list(load_taxonomy().output_types)

    def values(self) -> dict[str, Any]:
        return {
            "type": self.type.data, "title": (self.title.data or "").strip(), "year": self.year.data,
            "venue": (self.venue.data or "").strip(), "abstract": (self.abstract.data or "").strip(),
            "url": (self.url.data or "").strip(),
        }

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def _year_range(form: FlaskForm, field: IntegerField) -> None:
    """The years kb accepts (1900 to next year), checked here only to word the message in the UI language."""
    if field.data is not None and not 1900 <= field.data <= utcnow().year + 1:
        raise ValidationError(_l("请填写 1900 年至明年之间的年份，例如 2019。"))


class AffiliationForm(FlaskForm):
    """One former (or second current) employer, as ``kb.consultations.affiliations.add_affiliation`` takes it.

    kb decides; the form repeats kb's simple checks so their messages are in the
    UI language (kb words its errors in English for the API), and maps the
    rest through ``KB_MESSAGES``.
    """

    class Meta:
        # It shares the edit page with the profile form, so it takes a field prefix; the
        # app-wide CSRFProtect already checks the page's plain ``csrf_token`` on every POST.
        csrf = False

    organization = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=200)])
    from_year = IntegerField(_l("起始年份"), validators=[Optional(), _year_range])
    to_year = IntegerField(_l("结束年份"), validators=[Optional(), _year_range])

    KB_MESSAGES = {
        "1 to 200 characters": _l("请填写单位名称（不超过 200 字）。"),
        "a year such as 2019": _l("请填写 1900 年至明年之间的年份，例如 2019。"),
        "before the start year": _l("结束年份不能早于起始年份。"),
        "already listed with the same years": _l("这段工作经历已在列表中。"),
    }

    def validate_to_year(self, field: IntegerField) -> None:
        if field.data is not None and self.from_year.data is not None and field.data < self.from_year.data:
            raise ValidationError(self.KB_MESSAGES["before the start year"])

    def values(self) -> dict[str, Any]:
        return {"organization": (self.organization.data or "").strip(),
                "from_year": self.from_year.data, "to_year": self.to_year.data}

    def kb_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """kb's field errors with their messages in the UI language (unknown ones as kb wrote them)."""
        return {key: str(self.KB_MESSAGES.get(message, message)) for key, message in errors.items()}
