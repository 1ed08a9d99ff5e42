"""A real SMTP server for the tests (aiosmtpd, in a thread): STARTTLS with a certificate of a
CA made for the run (trustme), log-in required after STARTTLS; it keeps what it receives."""

from __future__ import annotations

import email
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "nhac-viec", "mat khau:smtp"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class Sink:
    host: str
    port: int
    ca_file: str
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # addresses answered 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        if address in self.refuse:
            return "550 5.1.1 Không có hộp thư này"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        message = email.message_from_bytes(envelope.content, policy=default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                      session.ssl is not None))
        return "250 Message accepted"

    def url(self, scheme: str = "smtp") -> str:
        from urllib.parse import quote

        return f"{scheme}://{USER}:{quote(PASSWORD, safe='')}@{self.host}:{self.port}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def _authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(),
                                                   auth_data.password.decode()) == (USER, PASSWORD)
    return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink():  # noqa: ANN201
    """(sink, controller): call controller.stop() at the end."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tempfile.NamedTemporaryFile(suffix=".pem", delete=False)  # noqa: SIM115
    ca.cert_pem.write_to_path(ca_file.name)
    sink = Sink("127.0.0.1", _free_port(), ca_file.name)
    controller = Controller(sink, hostname=sink.host, port=sink.port, tls_context=server_ctx,
                            require_starttls=True, authenticator=_authenticate,
                            auth_require_tls=True)
    controller.start()
    return sink, controller
