"""``LOKET_EMAIL_URL``: a login that is an e-mail address, written percent-encoded, logs in to a
real SMTP server (aiosmtpd with AUTH) with the decoded user name and password."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.core.mail import EmailMessage
from django.test import override_settings

from loket.config import MailServer, parse_mail_url
from loket.notify.tasks import mail_connection

LOGIN = "alice@example.org"
PASSWORD = "p@ss:w/rd%"  # every character that must be percent-encoded in a URL's user part


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == (LOGIN, PASSWORD))


@pytest.fixture
def server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=mailbox.authenticate,
        auth_required=True,
        auth_require_tls=False,  # a test on the loopback; production uses tls=1 or smtps
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def send_through(url: str) -> None:
    with override_settings(LOKET_EMAIL_URL=url):
        connection = mail_connection()
        EmailMessage("Hello", "Body", "no-reply@loket.brussels", ["bob@example.be"],
                     connection=connection).send()  # fmt: skip


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_percent_encoded_login_and_password_log_in(server: tuple[Mailbox, int]) -> None:
    mailbox, port = server
    send_through(f"smtp://alice%40example.org:p%40ss%3Aw%2Frd%25@127.0.0.1:{port}")
    assert mailbox.logins == [(LOGIN, PASSWORD)]  # undecoded, the server would refuse them
    assert [m["Subject"] for m in mailbox.messages] == ["Hello"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", MailServer(scheme="console")),
        ("locmem://", MailServer(scheme="locmem")),
        (
            "smtp://alice%40example.org:p%40ss@mail.example:587?tls=1",
            MailServer("smtp", "mail.example", 587, "alice@example.org", "p@ss", starttls=True),
        ),
        ("smtps://mail.example", MailServer("smtps", "mail.example", 465)),
        ("smtp://mail.example", MailServer("smtp", "mail.example", 25)),
    ],
)
def test_mail_urls_are_read_into_their_parts(url: str, expected: MailServer) -> None:
    assert parse_mail_url(url) == expected
