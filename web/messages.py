"""The one catalogue of what kb's errors say on a page, in Chinese or English.

kb raises errors with a code and parameters (``kb.errors``); this module turns
them into a sentence in the reader's language. An error without a known code
gets the plain sentence of its kind (not found, conflict, invalid input), never
kb's English detail, which stays for the CLI, the API and the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from kb.errors import Conflict, KbError, Message, NotFound, PermissionDenied, ValidationError

#: code → sentence with %(param)s placeholders. Every code kb raises has one (tests/web/test_messages.py).
CATALOGUE: dict[str, LazyString] = {
    # kinds: the fallback of an error without a code of its own
    "error": _l("操作未能完成，请检查后重试。"),
    "not_found": _l("您要找的内容不存在，可能已被删除或链接有误。"),
    "conflict": _l("这项操作没有执行：内容刚刚被其他人修改，或它当前的状态不允许这样做。请查看最新内容后再试。"),
    "invalid": _l("填写的内容有误，请按提示更正。"),
    "permission.denied": _l("您的账号不能执行这项操作。"),
    "permission.admin_area": _l("管理页面只对人才服务专员和系统管理员开放。"),
    "permission.not_a_talent": _l("只有关联了人才档案的账号才有自己的活动和报名记录。"),
    "permission.attachment": _l("只有这项咨询的经办人和提交意见的专家可以下载这份附件。"),
    "permission.attendance": _l("只有活动组织者和系统管理员可以查看参会名单。"),
    "conflict.busy": _l("有人正在同时保存，您的操作没有保存。请稍等片刻再试一次。"),
    "invalid.value": _l("有一项内容超出了允许的范围或格式不对，没有保存。请检查数字、日期和长度。"),
    # attachments
    "attachment.type": _l("“%(name)s”的文件类型不受支持，只接受 %(kinds)s 文件。"),
    "attachment.too_large": _l("“%(name)s”超过了 %(mb)s MB 的上限。"),
    "attachment.empty": _l("“%(name)s”是空文件。"),
    "attachment.mismatch": _l("“%(name)s”的内容不是 .%(ext)s 文件，可能扩展名写错了。请重新选择正确的文件。"),
    "attachment.too_many": _l("最多可上传 %(max)s 个附件。"),
    "advice.text.required": _l("请填写咨询意见。"),
    "reason.required": _l("请说明原因。"),
    # a talent record (jsonschema's validator kinds, kb/talents/records.py)
    "record.required": _l("此项必填。"),
    "record.min_length": _l("至少需要 %(n)s 个字符。"),
    "record.max_length": _l("最多 %(n)s 个字符，请精简。"),
    "record.minimum": _l("不能小于 %(n)s。"),
    "record.maximum": _l("不能大于 %(n)s。"),
    "record.min_items": _l("至少填写 %(n)s 项。"),
    "record.max_items": _l("最多填写 %(n)s 项。"),
    "record.enum": _l("请从列表中选择一项。"),
    "record.type": _l("填写的格式不对。"),
    "record.format": _l("格式不对，请检查后重新填写。"),
    "record.unique": _l("有重复的项目，请删去重复的。"),
    "record.unknown_key": _l("包含系统不认识的项目。"),
    "record.unknown_field": _l("产业领域不在目录中，请从列表中选择。"),
    "record.url": _l("链接必须是以 http:// 或 https:// 开头的网址。"),
    "record.id_space": _l("编号的开头和结尾不能有空格。"),
    "record.not_object": _l("这条记录的格式不对。"),
    "record.invalid": _l("这一项不符合要求。"),
    "password.weak": _l("密码至少 %(min)s 个字符，不能包含用户名，且不能只由少数几个字符重复组成。"),
    # consultation requests
    "request.title": _l("请填写标题（最多 %(max)s 个字）。"),
    "request.need": _l("请说明咨询背景或需要回答的问题（至少填写一项）。"),
    "request.deadline.format": _l("请按“年-月-日”填写日期。"),
    "request.deadline.required": _l("请填写截止日期。"),
    "request.deadline.past": _l("截止日期已经过去，请选择今天或以后的日期。"),
    "number.range": _l("请填写 %(low)s 到 %(high)s 之间的整数。"),
    # events
    "event.topics": _l("最多 %(max)s 个主题，每个不超过 100 个字。"),
    "event.timezone": _l("请从列表中选择时区。"),
    "event.time.format": _l("请填写日期和时间，例如 2026-12-05 14:30。"),
    "event.time.skipped": _l("当地时间 %(time)s 因夏令时调整并不存在，请换一个时间。"),
    "event.end_before_start": _l("结束时间必须晚于开始时间。"),
    "event.deadline_after_start": _l("报名截止时间不能晚于活动开始时间。"),
    "event.start_past": _l("活动开始时间已经过去，请修改时间后再发布。"),
    "event.place": _l("请填写活动地点或线上链接。"),
    "event.capacity_taken": _l("已有 %(n)s 人报名，名额不能少于 %(n)s。"),
    # accounts
    "account.username_taken": _l("用户名“%(username)s”已被使用，请换一个。"),
    # check-in
    "checkin.already": _l("该签到码已于 %(time)s 签到，无需重复签到。"),
    "checkin.code.unknown": _l("签到码“%(code)s”不存在，请核对后重新输入，或在名单中按姓名签到。"),
    "checkin.not_registered": _l("此人当前没有报名（不在签到名单上），不能签到。"),
    "checkin.closed": _l("活动当前不能签到（已取消或尚未发布）。"),
    "checkin.undo.not_checked_in": _l("此人尚未签到，无需撤销。"),
    # living profiles
    "freshness.no_account": _l("%(talent)s 还没有可用的账号，无法发送提醒；请先邀请其开通账号。"),
    "freshness.reminded_recently": _l("一周内已提醒过 %(talent)s，%(date)s 后才能再次提醒。"),
    # adoption ledger
    "ledger.order": _l("请先记录意见被采纳入的文件，再记录落实或效果评估；已采纳的意见不能再记为未采纳。"),
    "ledger.state": _l("这项咨询当前的状态下不能记录采纳情况。"),
    # general
    "conflict.changed": _l("内容在您打开之后被其他人修改了，您的修改没有保存。请重新打开页面，查看最新内容后再修改。"),
    "edit.unknown_fields": _l("包含不能修改的项目：%(fields)s。"),
    "date.format": _l("请按“年-月-日”填写日期，例如 2026-12-05。"),
    "number.whole": _l("请填写整数。"),
    "file.missing": _l("这份文件在服务器上找不到了，请联系系统管理员。"),
    "talent.not_found": _l("没有找到编号为 %(id)s 的人才。"),
    "output.not_found": _l("这项成果不存在，可能已被删除。"),
    "upload.file.required": _l("请选择要上传的文件。"),
    "upload.empty": _l("上传的文件是空的。"),
    "upload.too_large": _l("文件超过了 %(mb)s MB 的上限。"),
    "upload.type": _l("不支持这种文件类型（按文件内容判断），只接受 %(kinds)s 文件。"),
    "upload.no_storage": _l("这里不能上传文件。"),
    # accounts and access tokens
    "account.not_found": _l("没有名为“%(username)s”的账号。"),
    "account.missing": _l("这个账号不存在。"),
    "account.username.length": _l("用户名需要 1 到 80 个字符。"),
    "account.role.unknown": _l("请从列表中选择一个角色。"),
    "account.talent.required": _l("人才账号必须关联一位人才，请选择人才。"),
    "account.talent.taken": _l("%(talent)s 已经有账号了。"),
    "account.password.wrong": _l("当前密码不正确。"),
    "account.disable_self": _l("不能停用您正在使用的账号。"),
    "invitation.link.invalid": _l("这个邀请链接已失效，请向系统管理员索取新的邀请。"),
    "invitation.link.used": _l("这个邀请链接已经用过了。请直接登录，或向系统管理员索取新的邀请。"),
    "commissioner.inactive": _l("%(username)s 不是在岗的服务专员账号。"),
    "token.label.length": _l("名称最多 %(max)s 个字符。"),
    "token.lifetime": _l("有效期请填写 1 到 3650 天。"),
    "token.not_found": _l("这个访问令牌不存在或已被删除。"),
    # talent profiles, affiliations, harvested outputs
    "profile.invalid": _l("档案填写有误，请按提示更正。"),
    "certify.not_allowed": _l("只有人才服务专员可以导入认定信息（认定状态和认定日期）。"),
    "review.already": _l("这份修改申请已经审核过了。"),
    "affiliation.invalid": _l("任职经历填写有误，请按提示更正。"),
    "affiliation.year": _l("请填写四位数的年份，例如 2019。"),
    "affiliation.organization": _l("请填写单位名称（最多 200 个字）。"),
    "affiliation.years_order": _l("结束年份不能早于开始年份。"),
    "affiliation.duplicate": _l("这段任职经历已经登记过了。"),
    "affiliation.not_found": _l("这段任职经历不存在，可能已被删除。"),
    "harvest.file": _l("这个文件无法读取。请上传 BibTeX、RIS、CSL-JSON、EndNote XML、ORCID 记录或专利清单文件。"),
    "harvest.batch.not_found": _l("这次导入的预览已经不存在了，请重新上传文件。"),
    "harvest.unknown_items": _l("所选条目不属于这个文件，请重新上传。"),
    "harvest.already_decided": _l("有些条目已经认领或放弃过了，请刷新页面后再选。"),
    "harvest.all_decided": _l("这个文件的所有条目都已经处理过了。"),
    # consultations
    "consultation.not_found": _l("这项咨询不存在，可能已被删除或链接有误。"),
    "consultation.invitation.not_found": _l("这份咨询邀请不存在，可能已被撤回或链接有误。"),
    "permission.invitation": _l("只有受邀专家本人和这项咨询的经办人可以查看这份邀请。"),
    "advice.not_found": _l("这份咨询意见不存在。"),
    "attachment.not_found": _l("这份附件不存在，可能已被删除。"),
    "consultation.transition": _l("这项咨询当前的状态下不能执行这项操作，请刷新页面查看可以进行的操作。"),
    "consultation.state.inviting": _l("只有在咨询发布后、征集意见期间才能邀请专家。"),
    "request.invalid": _l("咨询需求填写有误，请按提示更正。"),
    "request.parties": _l("请填写利益相关单位的名称，每行一个。"),
    "request.no_unit": _l("您的账号没有所属单位，不能发起咨询；请联系系统管理员补充单位。"),
    "request.not_editable": _l("只有草稿或已发布的咨询可以修改。"),
    "request.no_advice": _l("还没有专家提交意见，不能结束征集。"),
    "request.list_settled": _l("这项咨询的专家名单已经确定，不能再调整。"),
    "consultation.expert.unknown": _l("没有找到名为“%(name)s”的专家。请检查姓名，或输入姓名的一部分从列表中选择。"),
    "consultation.expert.ambiguous": _l("有 %(n)s 位专家符合“%(name)s”，请选择其中一位。"),
    "consultation.expert.screened_out": _l("这位专家因利益冲突回避、档期或工作量等原因不能加入。"),
    "invite.none_chosen": _l("请先勾选要邀请的专家。"),
    "invite.already": _l("已经邀请过：%(names)s。"),
    "invite.screened": _l("不能邀请 %(names)s：利益冲突回避、档期或工作量等原因不允许。"),
    "invitation.closed": _l("这项咨询已不再接受答复。"),
    "invitation.answered": _l("这份邀请已经答复过了。"),
    "draw.state": _l("这项咨询当前的状态下不能随机抽取。"),
    "draw.sizes": _l("抽取人数至少 1 人，且不能多于候选人数；候选人数最多 200。"),
    "draw.no_candidates": _l("没有可以抽取的合格候选专家。"),
    "rating.range": _l("评分请选择 1 到 5 分。"),
    "rating.closed": _l("评价期限已于 %(date)s 截止（意见提交后 %(days)s 个工作日内）。"),
    "adoption.document.required": _l("请填写意见被采纳入的政策文件或决定。"),
    "ledger.missing": _l("这一步还缺少必填的内容，请按提示补全。"),
    "ledger.leader_level.required": _l("请选择批示层级（区领导、市领导或省部级）。"),
    "ledger.doc_title.required": _l("请填写意见被采纳入的文件名称。"),
    "ledger.evidence.implemented": _l("请写明落实情况。"),
    "ledger.evidence.evaluated": _l("请写明效果评估意见。"),
    "ledger.file_needs_document": _l("上传的文件只能随“采纳入文件”这一步记录。"),
    "ledger.at.future": _l("发生日期不能晚于今天。"),
    "ledger.at.before_submission": _l("发生日期不能早于意见提交的日期。"),
    "ledger.document.not_found": _l("台账中没有这份文件。"),
    "quarter.format": _l("季度请写成 2026Q3 这样的格式（年份 %(min)s–%(max)s）。"),
    "dossier.font_missing": _l("服务器缺少中文字体，暂时无法生成 PDF 档案；请下载 Word 版本，或联系系统管理员。"),
    # events
    "event.not_found": _l("这场活动不存在，可能已被删除或链接有误。"),
    "event.invalid": _l("活动信息填写有误，请按提示更正。"),
    "event.required": _l("还有必填项没有填写，请按提示补全。"),
    "event.speaker.unknown": _l("主讲嘉宾中的人才编号 %(id)s 不存在。"),
    "event.speaker.name": _l("每位嘉宾都需要填写姓名。"),
    "event.not_editable": _l("已结束或已取消的活动不能再修改。"),
    "event.publish_state": _l("只有草稿状态的活动可以发布。"),
    "event.cancel_state": _l("这场活动已经结束或取消，不能再取消。"),
    "event.finish_state": _l("只有已发布的活动可以标记为已结束。"),
    "event.not_started": _l("活动还没有开始，不能标记为已结束。"),
    "event.invite.none_chosen": _l("请先勾选要邀请的人才。"),
    "registration.not_open": _l("活动尚未发布或已取消，现在不能报名。"),
    "registration.started": _l("活动已经开始，不能再报名或取消报名。"),
    "registration.deadline": _l("报名已经截止。"),
    "registration.no_invitation": _l("您没有收到这场活动的邀请，请直接报名。"),
    "registration.answered": _l("您已经答复过这份邀请；如需改变，请取消报名。"),
    "registration.none": _l("您没有报名这场活动，无需取消。"),
    "registration.not_found": _l("签到名单上没有这条报名记录，请刷新页面。"),
    "feedback.invalid": _l("反馈填写有误，请按提示更正。"),
    "feedback.not_attended": _l("只有到场签到的参会者才能评价这场活动。"),
    "feedback.already": _l("您已经评价过这场活动了。"),
    "material.not_found": _l("这份资料不存在，可能已被删除。"),
    "proposal.invalid": _l("建议填写有误，请按提示更正。"),
    "proposal.title": _l("请填写题目（最多 300 个字）。"),
    "proposal.not_found": _l("这条建议不存在。"),
    "proposal.answered": _l("这条建议已经回复过了。"),
    # backup and restore (command line)
    "backup.database_kind": _l("备份的数据库类型与当前配置的数据库不同，不能恢复。"),
    "backup.not_empty": _l("目标数据库不是空的；请恢复到空数据库，或使用 --force。"),
}

#: What a permission lets one do, as the object of "只有……可以……".
ACTIONS: dict[str, LazyString] = {
    "search": _l("检索专家"),
    "talent.view": _l("查看人才档案"),
    "talent.view_contact": _l("查看联系方式"),
    "talent.edit": _l("修改人才档案"),
    "talent.history": _l("查看修改记录"),
    "talent.affiliations.remove": _l("删除任职经历"),
    "talent.certify": _l("认定人才"),
    "talent.review": _l("审核修改申请"),
    "talent.create": _l("新增人才"),
    "talent.delete": _l("删除人才"),
    "talent.import": _l("导入人才数据"),
    "freshness.view": _l("查看档案更新情况"),
    "freshness.remind": _l("提醒这位人才更新档案"),
    "commissioner.assign": _l("指定服务专员"),
    "talent.export": _l("导出人才数据"),
    "users.manage": _l("管理账号"),
    "users.invite": _l("邀请新用户"),
    "audit.view": _l("查看审计日志"),
    "dashboard.view": _l("查看数据看板"),
    "capability.build": _l("重新生成能力地图"),
    "consultation.create": _l("发起咨询需求"),
    "consultation.list": _l("查看咨询列表"),
    "consultation.view": _l("查看这项咨询"),
    "consultation.manage": _l("管理这项咨询"),
    "consultation.respond": _l("答复这份咨询邀请"),
    "consultation.record": _l("查看咨询记录"),
    "consultation.stats": _l("查看咨询统计"),
    "consultation.ledger.view": _l("查看采纳台账"),
    "consultation.ledger.record": _l("记录采纳台账"),
    "consultation.report": _l("生成咨询季度报告"),
    "event.manage": _l("管理活动"),
    "event.view": _l("查看这场活动"),
    "event.register": _l("报名活动"),
    "event.history": _l("查看活动记录"),
    "event.feedback": _l("评价活动"),
    "event.propose": _l("提交活动建议"),
}

_ROLE_ORDER = ("admin", "commissioner", "researcher", "organizer", "talent")


def _roles_text(roles: list[str]) -> str:
    from web.templating import role_label

    names = [str(role_label(r)) for r in _ROLE_ORDER if r in roles]
    return _("、").join(names) if len(names) < 3 else _("、").join(names[:-1]) + _("和") + names[-1]


def render(code: str, params: Mapping[str, Any] | None = None) -> str | None:
    """The sentence for ``code`` in the current language, or None when the catalogue has none."""
    template = CATALOGUE.get(code)
    if template is None:
        return None
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def forbidden_text(exc: PermissionDenied) -> str:
    """Who may do it, in plain words: "只有系统管理员可以管理账号。"."""
    if exc.code != "permission.denied" and exc.code in CATALOGUE:
        return str(CATALOGUE[exc.code])
    action = ACTIONS.get(str(exc.params.get("action", "")))
    roles = [str(r) for r in exc.params.get("roles", [])]
    if action is None or not roles:
        return str(CATALOGUE["permission.denied"])
    if exc.params.get("not_yours"):
        return _("您只能%(action)s：这项内容属于其他单位或其他人。", action=action)
    return _("只有%(roles)s可以%(action)s。", roles=_roles_text(roles), action=action)


def error_text(exc: KbError) -> str:
    """The page's sentence for a domain error."""
    if isinstance(exc, PermissionDenied):
        return forbidden_text(exc)
    text = render(exc.code, exc.params)
    if text is not None:
        return text
    for kind, code in ((NotFound, "not_found"), (Conflict, "conflict"), (ValidationError, "invalid")):
        if isinstance(exc, kind):
            return str(CATALOGUE[code])
    return str(CATALOGUE["error"])


def field_message(message: str) -> str:
    """One field's error in the reader's language; a message kb sent without a code keeps its text."""
    if isinstance(message, Message):
        text = render(message.code, message.params)
        if text is not None:
            return text
    return message


def field_errors(errors: Mapping[str, str]) -> dict[str, str]:
    return {field: field_message(message) for field, message in errors.items()}
