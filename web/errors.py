"""Turn domain errors into pages (or problem+json under /api/).

Every denial is a 403 page for a logged-in user, never a redirect or a 500;
only an anonymous visitor is sent to the login page. Views therefore just let
``kb.errors`` exceptions propagate unless they can do better in place (an edit
form that keeps the user's input on a conflict).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from indexer import SearchUnavailable
from kb.errors import Conflict, KbError, NotFound, PermissionDenied, ValidationError
from web.messages import error_text, field_errors
from web.redirects import referrer_path
from web.refusals import init_app as init_refusals
from web.refusals import typed_text

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://luohu-kb.local/problems/"


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str = "", **extra: object) -> Response:
    """An RFC 9457 problem document."""
    body = {"type": PROBLEM_TYPE + title.lower().replace(" ", "-"), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


#: Where a page's objects are listed: the way on from a missing or forbidden one.
LISTS: tuple[tuple[str, str, LazyString], ...] = (
    ("/consultations", "consultations.index", _l("返回咨询列表")),
    ("/events", "events.index", _l("返回活动列表")),
    ("/admin", "admin.index", _l("返回管理首页")),
    ("/dashboard", "dashboard.index", _l("返回数据看板")),
    ("/account", "auth.account", _l("返回我的账号")),
)


def way_on(status: int) -> tuple[str, str]:
    """The sensible next page after an error: (url, label).

    A conflict is resolved by looking at the latest version, so it reopens the
    page the user came from; anything else leads to the list the object
    belongs to (or the search, which lists experts); a visitor to the login.
    """
    if not current_user.is_authenticated:
        return url_for("auth.login", next=request.full_path.rstrip("?")), _("登录")
    came_from = _same_site_referrer()
    if status == 409:
        return came_from or request.path, _("重新打开此页，查看最新内容")
    if status in (400, 413) and came_from:
        return came_from, _("返回上一页")
    for prefix, endpoint, label in LISTS:
        if request.path.startswith(prefix):
            return url_for(endpoint), str(label)
    return url_for("search.home"), _("去检索专家")


def _same_site_referrer() -> str | None:
    """The page of this site the user came from, unless it is this very page (a reload)."""
    came_from = referrer_path()
    if came_from is None or request.method == "GET" and urlsplit(came_from).path == request.path:
        return None
    return came_from


def error_page(status: int, title: str, message: str, **context: object) -> tuple[str, int]:
    """The error page: what happened in plain words, what was typed, and the way on (never a developer string)."""
    next_url, next_label = way_on(status)
    kept = typed_text() if status in (400, 403, 404, 409) else []
    return render_template("error.html", status=status, title=title, message=message, next_url=next_url,
                           next_label=next_label, typed=kept, **context), status


def _kb_status(exc: KbError) -> tuple[int, str]:
    if isinstance(exc, PermissionDenied):
        return 403, "Forbidden"
    if isinstance(exc, NotFound):
        return 404, "Not Found"
    if isinstance(exc, Conflict):
        return 409, "Conflict"
    return 400, "Bad Request"


def _keep_headers(exc: HTTPException, resp: Response) -> Response:
    """Carry over the headers that give an HTTP error its meaning (Allow, Retry-After)."""
    original = exc.get_response().headers
    for name in ("Allow", "Retry-After"):
        if name in original:
            resp.headers[name] = original[name]
    return resp


def database_refusal(exc: SQLAlchemyError) -> KbError | None:
    """The domain error a database refusal stands for, or None for a genuine failure."""
    if isinstance(exc, IntegrityError | StaleDataError):
        return Conflict("someone else changed this at the same time; reload it and try again",
                        code="conflict")
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return Conflict("someone else was saving at the same moment; try again", code="conflict.busy")
    if isinstance(exc, DataError):
        return ValidationError("a value is out of range or malformed for the database", code="invalid.value")
    return None


def init_app(app: Flask) -> None:
    init_refusals(app)  # a refused form re-renders its page; what reaches the handlers below is not a form's

    @app.errorhandler(KbError)
    def kb_error(exc: KbError):  # type: ignore[no-untyped-def]
        status, title = _kb_status(exc)
        if wants_problem():
            extra = {"errors": exc.errors} if isinstance(exc, ValidationError) and exc.errors else {}
            return problem(status, title, str(exc), error=exc.code, **extra)
        if status == 403 and not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        text = error_text(exc)
        if status == 403:
            return error_page(403, _("无权访问"), text)
        if status == 404:
            return error_page(404, _("未找到"), text)
        if status == 409:
            return error_page(409, _("未能保存"), text)
        errors = field_errors(exc.errors) if isinstance(exc, ValidationError) else {}
        return error_page(400, _("输入有误"), text, field_errors=errors)

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):  # type: ignore[no-untyped-def]
        """Concurrent writes that lost (a unique key taken, a row changed since it was read, SQLite's
        write lock) are conflicts the user can retry, not server errors; anything else still is one."""
        translated = database_refusal(exc)
        if translated is None:
            return unexpected(exc)
        log.info("database refused a write on %s %s: %s", request.method, request.path, exc)
        work = g.get("unit_of_work")
        if work is not None:
            work.rollback()  # the error page may read the session (the user, its labels)
        return kb_error(translated)

    @app.errorhandler(SearchUnavailable)
    def search_down(exc: SearchUnavailable):  # type: ignore[no-untyped-def]
        log.warning("search unavailable: %s", exc)
        if wants_problem():
            return problem(503, "Search Unavailable", "the search service is unreachable; try again shortly")
        return error_page(
            503, _("检索服务暂不可用"),
            _("专家检索服务暂时无法连接，数据没有丢失。请稍后再试；如果持续出现，请联系系统管理员。"),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return error_page(400, _("表单已过期"),
                          _("表单安全校验失败：页面停留太久或已在其他窗口退出，表单没有提交。请返回上一页，刷新后再提交一次。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        if wants_problem():
            return _keep_headers(exc, problem(status, exc.name, exc.description or ""))
        messages = {
            400: (_("请求有误"), _("请求无法处理，请检查后重试。")),
            404: (_("未找到"), _("您要找的页面不存在。")),
            405: (_("请求方式不支持"), _("此页面不支持该操作。")),
            413: (_("文件过大"), _("上传的内容超过了 %(mb)s MB 的上限，没有保存。请压缩或拆分后重新上传。",
                                mb=app.extensions["kb"].settings.web.max_upload_mb)),
            429: (_("尝试次数过多"), _("登录尝试过于频繁，请几分钟后再试。")),
        }
        title, message = messages.get(status, (_("请求未能完成"), _("请求未能完成，请返回后重试。")))
        return _keep_headers(exc, app.make_response(error_page(status, title, message)))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_problem():
            return problem(500, "Internal Server Error", "an unexpected error occurred; it has been logged")
        return error_page(500, _("系统错误"), _("发生了意外错误，已记录日志。请稍后重试。"))
