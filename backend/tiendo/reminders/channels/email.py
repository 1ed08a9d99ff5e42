"""E-mail over SMTP: smtp:// upgrades with STARTTLS when the server offers it, smtps:// speaks
TLS from the start; plain text plus HTML."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import default
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from tiendo.config import Settings
from tiendo.reminders import texts
from tiendo.reminders.channels import Message, Result, failure


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        url = urlsplit(settings.smtp_url)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ValueError("TIENDO_SMTP_URL must look like smtp://user:pass@host:587")
        self.tls = url.scheme == "smtps"
        self.host = url.hostname
        self.port = url.port or (465 if self.tls else 25)
        self.user = unquote(url.username) if url.username else None
        self.password = unquote(url.password) if url.password else ""
        self.sender = settings.mail_from
        self.timeout = settings.reminder_timeout_seconds
        self.context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)

    def build(self, message: Message) -> EmailMessage:
        subject, text, page = texts.email_parts(message.kind, message.payload)
        # No header folding: Python's folder drops the space between two encoded words, so a
        # long Vietnamese subject would arrive as "báo cáotuần".
        mail = EmailMessage(policy=default.clone(max_line_length=998))
        mail["Subject"] = subject
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Message-ID"] = make_msgid(domain=self.host)
        if message.id is not None:
            mail["X-Tiendo-Message"] = str(message.id)
        mail.set_content(text)
        mail.add_alternative(page, subtype="html")
        return mail

    def _connect(self) -> smtplib.SMTP:
        if self.tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self.context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=self.context)
            smtp.ehlo()
        return smtp

    def send(self, message: Message) -> Result:
        try:
            mail = self.build(message)
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
            return Result(True)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return Result(False, f"Địa chỉ bị từ chối: {exc.recipients}"[:1000],
                          permanent=all(c >= 500 for c in codes))
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will answer the same again; 4xx: try later.
            return Result(False, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:1000],
                          permanent=exc.smtp_code >= 500)
        except (OSError, smtplib.SMTPException) as exc:
            return Result(False, failure(exc))
