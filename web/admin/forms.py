"""Forms of the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from kb.models import ROLES

IMPORT_TYPES = ["jsonl", "ndjson", "json", "csv", "xlsx"]
# Only a shape check: whether the address works is learnt when the mail is sent.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("请输入有效的电子邮箱地址"))


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("姓名"), validators=[Length(max=200)])
    email = EmailField(_l("电子邮箱"), validators=[Optional(), EMAIL, Length(max=200)])
    role = SelectField(_l("角色"), choices=list(ROLES))
    unit = StringField(_l("所属单位或协会"), validators=[Length(max=200)])
    talent = StringField(_l("人才姓名或编号（人才账号必填）"), validators=[Length(max=200)])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(), Length(max=500)])


class InviteForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(), EMAIL, Length(max=200)])
    talent = StringField(_l("人才姓名或编号"), validators=[Length(max=200)])
    role = SelectField(_l("角色"), choices=list(ROLES), default="talent")


class TalentForm(FlaskForm):
    external_id = StringField(_l("人才编号"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("英文名"), validators=[Length(max=200)])
    category = SelectField(_l("人才类别"), choices=["A", "B", "C"])
    title = StringField(_l("职务职称"), validators=[Length(max=200)])
    organization = StringField(_l("工作单位"), validators=[Length(max=200)])
    research_directions = TextAreaField(_l("研究方向（每行一项）"), validators=[DataRequired()])
    bio = TextAreaField(_l("个人简介"), validators=[Length(max=5000)])
    available_for_consultation = BooleanField(_l("接受政策咨询"), default=True)
    email = StringField(_l("电子邮箱"), validators=[Length(max=200)])
    phone = StringField(_l("联系电话"), validators=[Length(max=50)])


class ImportForm(FlaskForm):
    file = FileField(_l("导入文件"), validators=[
        FileRequired(), FileAllowed(IMPORT_TYPES, _l("仅支持 .jsonl、.csv、.xlsx 文件")),
    ])
    dry_run = BooleanField(_l("仅校验，不保存"))


class ExportForm(FlaskForm):
    include_contact = BooleanField(_l("包含联系方式（电子邮箱、电话）"))
