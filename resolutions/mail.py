"""Sending e-mail: through an SMTP server, or into .eml files in development.

``MAIL_BACKEND`` is ``smtp`` (the default when ``MAIL_HOST`` is set) or ``file`` (the default
otherwise: every message is written to ``MAIL_DIR``, ``instance/mail`` unless set, so that
nothing leaves the machine and the mails can be read in development). Sending never happens
inside a database transaction: callers commit first, send, then record what was accepted.
A failure is returned per message, never raised.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """A multipart/alternative message: plain text first, then HTML."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send_all(mails: Sequence[Mail]) -> list[str | None]:
    """Send each mail; for each, None if it was accepted, else a translated reason."""
    if not mails:
        return []
    config = current_app.config
    sender = config["MAIL_SENDER"]
    messages = [build_message(mail, sender) for mail in mails]
    if config["MAIL_BACKEND"] == "file":
        return _write_files(messages, Path(config["MAIL_DIR"]))
    return _send_smtp(messages)


def _write_files(messages: Sequence[EmailMessage], directory: Path) -> list[str | None]:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results: list[str | None] = []
    for index, message in enumerate(messages):
        path = directory / f"{stamp}-{time.monotonic_ns()}-{index}.eml"
        path.write_bytes(bytes(message))
        results.append(None)
    return results


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_HOST"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    tls = config["MAIL_TLS"]
    client: smtplib.SMTP
    if tls == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
        if tls == "starttls":
            client.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return client


def _send_smtp(messages: Sequence[EmailMessage]) -> list[str | None]:
    try:
        client = _connect()
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("mail server unreachable")
        reason = _("The mail server could not be reached; nothing was sent.")
        return [reason] * len(messages)
    results: list[str | None] = []
    try:
        for message in messages:
            try:
                refused = client.send_message(message)
            except smtplib.SMTPRecipientsRefused:
                results.append(_("The mail server refused this address."))
            except (OSError, smtplib.SMTPException):
                current_app.logger.exception("mail not sent")
                results.append(_("The mail server did not accept the message."))
            else:
                results.append(_("The mail server refused this address.") if refused else None)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return results
