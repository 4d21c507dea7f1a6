"""Forms of the account pages; the password policy itself is kb's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=500)])
    confirm = PasswordField(
        _l("再次输入新密码"), validators=[DataRequired(), EqualTo("new_password", message=_l("两次输入的密码不一致"))]
    )


class InvitationForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=500)])
    confirm = PasswordField(
        _l("再次输入密码"), validators=[DataRequired(), EqualTo("password", message=_l("两次输入的密码不一致"))]
    )


class TokenForm(FlaskForm):
    label = StringField(_l("用途说明"), validators=[Length(max=100)])
    # kb.api_tokens.LIFETIMES; "" is a token that never expires
    lifetime = SelectField(_l("有效期"), default="90", choices=[
        SelectChoice("30", _l("30 天")), SelectChoice("90", _l("90 天")), SelectChoice("365", _l("一年")),
        SelectChoice("", _l("永不过期")),
    ])
