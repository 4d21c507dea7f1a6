"""The administration areas and the kb action each needs.

The admin menu shows a section exactly when ``kb.permissions.allowed`` grants
its action, so a commissioner sees the review queue but not account management.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from kb.permissions import allowed
from web.sessions import current_actor


@dataclass(frozen=True)
class Section:
    key: str
    endpoint: str
    action: str
    title: object
    description: object


SECTIONS = (
    Section("reviews", "admin.reviews", "talent.review", _l("待审核修改"), _l("审核人才提交的姓名、职务、单位、领域修改")),
    Section("talents", "admin.talents", "talent.create", _l("人才档案"), _l("查询、新建、认定和删除人才档案")),
    Section("users", "admin.users", "users.manage", _l("账号管理"), _l("创建、停用账号，重置密码")),
    Section("invite", "admin.invite", "users.invite", _l("邀请人才"), _l("生成邀请链接，让人才自行创建账号")),
    Section("import", "admin.import_page", "talent.import", _l("批量导入"), _l("上传 JSON Lines、CSV 或 XLSX 文件")),
    Section("export", "admin.export", "talent.export", _l("导出数据"), _l("下载全部人才档案（JSON Lines）")),
    Section("audit", "admin.audit_log", "audit.view", _l("审计日志"), _l("联系方式查看、账号和认定等操作记录")),
    Section("system", "admin.system_status", "users.manage", _l("系统状态"), _l("数据库、搜索集群和后台队列是否正常")),
)


def visible_sections() -> list[Section]:
    actor = current_actor()
    return [s for s in SECTIONS if allowed(actor, s.action)]
