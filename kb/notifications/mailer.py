"""Sending queued email over SMTP.

Mail leaves only from the queue: if the server is unreachable the item stays
pending with back-off and goes out when the server is back.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from kb.localtime import DEFAULT_TIMEZONE, to_local
from kb.models import QueueItem
from kb.notifications.inbox import MAIL_TOPIC
from kb.queue import DrainReport, drain
from kb.settings import MailSettings

if TYPE_CHECKING:  # kb.context imports the whole product; a type is all this needs
    from kb.context import KnowledgeBase


def build_message(settings: MailSettings, base_url: str, payload: dict[str, Any], *,
                  tz: str = DEFAULT_TIMEZONE, now: datetime | None = None) -> EmailMessage:
    """The message for one queued payload; a relative ``link`` is made absolute with ``base_url``."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    # Sent at the reader's wall time (locale.timezone), like every time in the body.
    msg["Date"] = format_datetime(to_local(now or datetime.now(UTC), tz))
    body = payload.get("body", "")
    if payload.get("link"):
        body = f"{body}\n\n{base_url.rstrip('/')}{payload['link']}"
    msg.set_content(body)
    for att in payload.get("attachments", []):
        maintype, _, subtype = att.get("content_type", "text/plain").partition("/")
        msg.add_attachment(att["text"].encode("utf-8"), maintype=maintype, subtype=subtype or "plain",
                           filename=att["filename"])
    return msg


def send(settings: MailSettings, base_url: str, payload: dict[str, Any], *, tz: str = DEFAULT_TIMEZONE) -> None:
    if not settings.smtp_host:
        raise ConnectionError("no SMTP server configured (mail.smtp_host, KB_SMTP_HOST)")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.send_message(build_message(settings, base_url, payload, tz=tz))


def drain_mail_queue(kb: KnowledgeBase) -> DrainReport:
    """Send what is due, one message per claim so one bad address holds up no other."""
    def handle(items: list[QueueItem]) -> None:
        for item in items:
            send(kb.settings.mail, kb.settings.web.base_url, item.payload, tz=kb.settings.locale.timezone)

    return drain(kb.sessions, MAIL_TOPIC, handle, batch=1)
