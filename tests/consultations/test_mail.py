"""A mail outage loses no consultation notification: the queue keeps them."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kb.consultations.invitations import invite
from kb.consultations.requests import get_request
from kb.context import KnowledgeBase
from kb.models import QueueItem
from kb.notifications.inbox import MAIL_TOPIC
from kb.notifications.mailer import drain_mail_queue
from kb.queue import pending_count
from kb.talents import changes as ops
from tests.consultations.conftest import open_new


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def with_mail(kb: KnowledgeBase, port: int) -> KnowledgeBase:
    """The same database, with settings pointing at an SMTP server on ``port``."""
    mail = dataclasses.replace(kb.settings.mail, smtp_host="127.0.0.1", smtp_port=port)
    return KnowledgeBase(dataclasses.replace(kb.settings, mail=mail))


def test_outage_keeps_mail_until_the_server_is_back(kb, people, smtp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"], confidentiality="confidential")
    with kb.sessions() as s, s.begin():
        invite(s, people["researcher"], get_request(s, people["researcher"], rid),
               [ops.get_talent(s, t) for t in ("c-3", "c-7", "c-8")])
    # Nobody listens on this port: every send fails and every item stays queued.
    down = with_mail(kb, free_port())
    try:
        report = drain_mail_queue(down)
        assert report.done == 0 and report.failed >= 1
        with down.sessions() as s:
            assert pending_count(s, MAIL_TOPIC) == 3
            # Make the retried item due again rather than wait for the back-off.
            for item in s.scalars(select(QueueItem).where(QueueItem.topic == MAIL_TOPIC)):
                item.run_after = item.created_at
            s.commit()
    finally:
        down.close()
    port, inbox = smtp
    up = with_mail(kb, port)
    try:
        report = drain_mail_queue(up)
        assert report.done == 3 and report.failed == 0
        with up.sessions() as s:
            assert pending_count(s, MAIL_TOPIC) == 0
    finally:
        up.close()
    assert sorted(r for rcpt, _ in inbox.messages for r in rcpt) == [
        "c-3@example.org", "c-7@example.org", "c-8@example.org"]
    message = email.message_from_bytes(inbox.messages[0][1], policy=email.policy.default)
    body = message.get_content()
    assert "/consultations/invitations/" in body and "咨询邀请" in str(message["Subject"])
    # Confidential: the mail carries neither the title nor the content of the matter.
    assert "供应链" not in body and "供应链" not in str(message["Subject"])
