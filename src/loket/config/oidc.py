"""OpenID Connect login and session limits (accounts app): ``LOKET_OIDC_*``, ``LOKET_SESSION_*``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loket.config.environment import ConfigurationError, Environment

MEMBERSHIP_ROLES = ("agent", "dpo", "helper", "designer")


@dataclass(frozen=True)
class OidcClient:
    """Loket registered as a client at one OpenID provider (FAS/CSAM, itsme, an organisation's).

    ``groups`` maps a group named in the ``groups_claim`` to the membership it grants:
    ``{"administration": "<id>", "role": "agent"|"dpo"|"helper"|"designer"}``.
    """

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile"
    national_number_claim: str = "national_number"
    enterprise_claim: str = ""
    groups_claim: str = ""
    groups: dict[str, dict[str, str]] = field(default_factory=dict)


def _client(env: Environment, prefix: str, **extra: Any) -> OidcClient | None:
    issuer = env.text(f"{prefix}_ISSUER").rstrip("/")
    if not issuer:
        return None
    return OidcClient(
        issuer=issuer,
        client_id=env.text(f"{prefix}_CLIENT_ID"),
        client_secret=env.text(f"{prefix}_CLIENT_SECRET"),
        scopes=env.text(f"{prefix}_SCOPES"),
        **extra,
    )


def _agent_groups(env: Environment) -> dict[str, dict[str, str]]:
    groups = env.json_object("LOKET_OIDC_AGENT_GROUPS")
    for name, grant in groups.items():
        if (
            not isinstance(grant, dict)
            or not grant.get("administration")
            or grant.get("role") not in MEMBERSHIP_ROLES
        ):
            raise ConfigurationError(
                f"LOKET_OIDC_AGENT_GROUPS[{name!r}] must be "
                f'{{"administration": "<id>", "role": one of {", ".join(MEMBERSHIP_ROLES)}}}'
            )
    return groups


def oidc_settings(env: Environment) -> dict[str, Any]:
    return {
        "oidc": _client(
            env,
            "LOKET_OIDC",
            national_number_claim=env.text("LOKET_OIDC_NATIONAL_NUMBER_CLAIM"),
            enterprise_claim=env.text("LOKET_OIDC_ENTERPRISE_CLAIM"),
        ),
        "oidc_agent": _client(
            env,
            "LOKET_OIDC_AGENT",
            national_number_claim="",
            groups_claim=env.text("LOKET_OIDC_AGENT_GROUPS_CLAIM"),
            groups=_agent_groups(env),
        ),
        "session_idle_minutes": env.whole_number("LOKET_SESSION_IDLE_MINUTES", minimum=1),
        "session_max_hours": env.whole_number("LOKET_SESSION_MAX_HOURS", minimum=1),
    }


def oidc_problems(oidc: OidcClient | None, oidc_agent: OidcClient | None) -> list[str]:
    problems = []
    for prefix, client, required in (
        ("LOKET_OIDC", oidc, True),
        ("LOKET_OIDC_AGENT", oidc_agent, False),
    ):
        if client is None:
            if required:
                problems.append(f"{prefix}_ISSUER is missing (residents could not log in)")
            continue
        if not client.issuer.startswith("https://"):
            problems.append(f"{prefix}_ISSUER must be an https:// address")
        if not client.client_id or not client.client_secret:
            problems.append(f"{prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET must both be set")
    return problems
