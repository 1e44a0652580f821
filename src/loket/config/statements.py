"""The statements a public website owes: security.txt (RFC 9116), the legal notice, and the
data protection officer's contact (GDPR art. 37(7): published, so that anyone can reach them).

The operator names a security contact, who runs the site and its data protection officer; the
demo has placeholders that say they are a demo, and production refuses to start without the
real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.config.environment import ConfigurationError, Environment

# RFC 9116 §2.5.5: Expires should be less than a year ahead; it is computed at each request.
MAX_EXPIRES_DAYS = 364
DEMO_SECURITY_CONTACT = "mailto:security@loket.example"
DEMO_OPERATOR = {
    "name": "Loket demo operator (demonstration, not a real body)",
    "address": "Demo street 1, 1000 Brussels (demonstration address)",
    "number": "0000.000.000 (demonstration number)",
    "email": "contact@loket.example",
}
DEMO_DPO_EMAIL = "dpo@loket.example"


@dataclass(frozen=True)
class Statements:
    """What security.txt and the legal notice say about the operator."""

    security_contact: str = DEMO_SECURITY_CONTACT
    security_policy_url: str = ""
    security_expires_days: int = 180
    operator: dict[str, str] = field(default_factory=lambda: dict(DEMO_OPERATOR))
    security_contact_set: bool = False
    dpo_email: str = DEMO_DPO_EMAIL

    @property
    def operator_is_demo(self) -> bool:
        return self.operator == DEMO_OPERATOR

    @property
    def dpo_is_demo(self) -> bool:
        return self.dpo_email == DEMO_DPO_EMAIL


def _security_contact(env: Environment) -> str:
    value = env.text("LOKET_SECURITY_CONTACT")
    if not value:
        return DEMO_SECURITY_CONTACT
    if value.startswith("mailto:"):
        env.email_address_value("LOKET_SECURITY_CONTACT", value.removeprefix("mailto:"))
        return value
    if value.startswith("https://"):
        return env.web_address("LOKET_SECURITY_CONTACT")
    raise ConfigurationError(
        f"LOKET_SECURITY_CONTACT={value!r} must be a mailto: or https:// address"
    )


def statement_settings(env: Environment) -> Statements:
    days = env.whole_number("LOKET_SECURITY_EXPIRES_DAYS", minimum=1)
    if days > MAX_EXPIRES_DAYS:
        raise ConfigurationError(
            f"LOKET_SECURITY_EXPIRES_DAYS={days} must be below a year (at most {MAX_EXPIRES_DAYS})"
        )
    operator = {
        "name": env.text("LOKET_OPERATOR_NAME"),
        "address": env.text("LOKET_OPERATOR_ADDRESS"),
        "number": env.text("LOKET_OPERATOR_NUMBER"),
        "email": env.email_address("LOKET_OPERATOR_EMAIL")
        if env.is_set("LOKET_OPERATOR_EMAIL")
        else "",
    }
    if not operator["name"]:  # the demo's placeholders, marked as such on the pages
        operator = dict(DEMO_OPERATOR)
    return Statements(
        security_contact=_security_contact(env),
        security_policy_url=env.web_address("LOKET_SECURITY_POLICY_URL"),
        security_expires_days=days,
        operator=operator,
        security_contact_set=env.is_set("LOKET_SECURITY_CONTACT"),
        dpo_email=env.email_address("LOKET_DPO_EMAIL")
        if env.is_set("LOKET_DPO_EMAIL")
        else DEMO_DPO_EMAIL,
    )


def statement_problems(statements: Statements) -> list[str]:
    problems = []
    if not statements.security_contact_set:
        problems.append(
            "LOKET_SECURITY_CONTACT is not set (/.well-known/security.txt must name a contact)"
        )
    if statements.operator_is_demo:
        problems.append("LOKET_OPERATOR_NAME is not set (the legal notice names the operator)")
    elif not (statements.operator["address"] and statements.operator["email"]):
        problems.append(
            "LOKET_OPERATOR_ADDRESS and LOKET_OPERATOR_EMAIL must be set (the legal notice)"
        )
    if statements.dpo_is_demo:
        problems.append(
            "LOKET_DPO_EMAIL is not set (the data protection officer's contact is published)"
        )
    return problems
