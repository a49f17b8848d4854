"""A real SMTP server for the tests: aiosmtpd's Controller on a free local port.

The app under test talks SMTP to it exactly as to a production server; the server keeps each
accepted message (parsed) and can be told to refuse some recipients.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

MAIL_SETTINGS = (
    "MAIL_BACKEND",
    "MAIL_HOST",
    "MAIL_PORT",
    "MAIL_TLS",
    "MAIL_USERNAME",
    "MAIL_SENDER",
)


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp(app: Flask) -> Iterator[Inbox]:
    """Start an SMTP server on a free port and point the app's mail settings at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {name: app.config.get(name) for name in MAIL_SETTINGS}
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=port,
        MAIL_TLS="none",
        MAIL_USERNAME=None,
        MAIL_SENDER="Conference <noreply@example.org>",
    )
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


@pytest.fixture
def smtp(app: Flask) -> Iterator[Inbox]:
    """A running SMTP server, and the app configured to send through it."""
    with running_smtp(app) as inbox:
        yield inbox


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and the HTML body of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "expected text and HTML parts"
    return text.get_content(), html.get_content()


def invitation_path(message: EmailMessage) -> str:
    """The path of the invitation link in the plain-text part."""
    text, _ = parts(message)
    match = re.search(r"https?://[^/\s]+(/invitation/\S+)", text)
    assert match, f"no invitation link in: {text}"
    return match.group(1)
