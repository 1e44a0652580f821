"""The OpenID Connect configuration: read from LOKET_OIDC_*, refused in production when unsafe."""

from __future__ import annotations

import json

import pytest

from loket.config import ConfigurationError, OidcClient, load
from tests.test_config import SAFE

OIDC = {
    "LOKET_OIDC_ISSUER": "https://idp.iamfas.belgium.be/fas/oauth2/",
    "LOKET_OIDC_CLIENT_ID": "loket-brussels",
    "LOKET_OIDC_CLIENT_SECRET": "a-long-secret",
}
PRODUCTION = {**SAFE, **OIDC}


def test_a_production_configuration_with_a_provider_is_accepted() -> None:
    config = load(PRODUCTION)
    assert config.oidc == OidcClient(
        issuer="https://idp.iamfas.belgium.be/fas/oauth2",
        client_id="loket-brussels",
        client_secret="a-long-secret",
        scopes="openid profile",
        national_number_claim="national_number",
    )
    assert config.oidc_agent is None
    assert (config.session_idle_minutes, config.session_max_hours) == (30, 8)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"LOKET_OIDC_ISSUER": ""}, "LOKET_OIDC_ISSUER is missing"),
        ({"LOKET_OIDC_ISSUER": "http://idp.example.be"}, "LOKET_OIDC_ISSUER must be an https"),
        ({"LOKET_OIDC_CLIENT_ID": ""}, "LOKET_OIDC_CLIENT_ID and LOKET_OIDC_CLIENT_SECRET"),
        ({"LOKET_OIDC_CLIENT_SECRET": ""}, "LOKET_OIDC_CLIENT_ID and LOKET_OIDC_CLIENT_SECRET"),
        (
            {"LOKET_OIDC_AGENT_ISSUER": "http://login.irisnet.example"},
            "LOKET_OIDC_AGENT_ISSUER must be an https",
        ),
        (
            {"LOKET_OIDC_AGENT_ISSUER": "https://login.irisnet.example"},
            "LOKET_OIDC_AGENT_CLIENT_ID and LOKET_OIDC_AGENT_CLIENT_SECRET",
        ),
    ],
)
def test_production_refuses_an_unsafe_login_configuration(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load({**PRODUCTION, **change})


def test_the_civil_servants_provider_and_its_groups_are_read() -> None:
    groups = {"parking-agents": {"administration": "parking-brussels", "role": "agent"}}
    config = load(
        {
            "LOKET_ENV": "test",
            "LOKET_OIDC_AGENT_ISSUER": "https://login.irisnet.example",
            "LOKET_OIDC_AGENT_CLIENT_ID": "loket-agents",
            "LOKET_OIDC_AGENT_CLIENT_SECRET": "s",
            "LOKET_OIDC_AGENT_SCOPES": "openid profile groups",
            "LOKET_OIDC_AGENT_GROUPS_CLAIM": "roles",
            "LOKET_OIDC_AGENT_GROUPS": json.dumps(groups),
            "LOKET_SESSION_IDLE_MINUTES": "15",
            "LOKET_SESSION_MAX_HOURS": "4",
        }
    )
    assert config.oidc is None
    assert config.oidc_agent is not None
    assert (config.oidc_agent.scopes, config.oidc_agent.groups_claim) == (
        "openid profile groups",
        "roles",
    )
    assert config.oidc_agent.groups == groups
    assert (config.session_idle_minutes, config.session_max_hours) == (15, 4)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"LOKET_OIDC_AGENT_GROUPS": '{"g": {"administration": "x", "role": "boss"}}'}, "role"),
        ({"LOKET_OIDC_AGENT_GROUPS": '{"g": "parking-brussels"}'}, "administration"),
        ({"LOKET_OIDC_AGENT_GROUPS": "[1]"}, "must be a JSON object"),
        ({"LOKET_SESSION_IDLE_MINUTES": "0"}, "LOKET_SESSION_IDLE_MINUTES"),
        ({"LOKET_SESSION_MAX_HOURS": "eight"}, "LOKET_SESSION_MAX_HOURS"),
    ],
)
def test_a_malformed_login_setting_is_refused_in_any_environment(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load({"LOKET_ENV": "test", **change})
