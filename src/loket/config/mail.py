"""``LOKET_EMAIL_URL``: where notification e-mails go, in the parts Django's backends take."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from loket.config.environment import ConfigurationError

SCHEMES = ("console", "locmem", "smtp", "smtps")


@dataclass(frozen=True)
class MailServer:
    """``smtp://user:password@host:port?tls=1``, ``smtps://…``, ``console://`` or ``locmem://``.

    The user name and password are percent-decoded, so a login that is an e-mail address is
    written ``smtp://alice%40example.org:p%40ss@host:587``.
    """

    scheme: str
    host: str = "127.0.0.1"
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False

    @property
    def uses_smtp(self) -> bool:
        return self.scheme in ("smtp", "smtps")


def parse_mail_url(url: str, variable: str = "LOKET_EMAIL_URL") -> MailServer:
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise ConfigurationError(
            f"{variable} must start with one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if parts.scheme in ("console", "locmem"):
        return MailServer(scheme=parts.scheme)
    try:
        port = parts.port
    except ValueError:  # the message would repeat the URL, password included
        raise ConfigurationError(f"{variable} has a port that is not a number") from None
    tls = parse_qs(parts.query).get("tls", ["0"])
    if tls not in (["0"], ["1"]):
        raise ConfigurationError(f"{variable}: tls must be 0 or 1")
    if parts.scheme == "smtps" and tls == ["1"]:
        raise ConfigurationError(f"{variable}: smtps:// is TLS already; tls=1 is for smtp://")
    return MailServer(
        scheme=parts.scheme,
        host=parts.hostname or "127.0.0.1",
        port=port or (465 if parts.scheme == "smtps" else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        starttls=tls == ["1"],
    )
