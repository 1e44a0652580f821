"""Who an ID token is: residents by national number, civil servants by sub, memberships by group."""

from __future__ import annotations

from datetime import date

import pytest

from loket.accounts import errors
from loket.accounts.errors import LoginRefused
from loket.accounts.identities import do_match_agent, do_match_resident, do_sync_memberships
from loket.accounts.models import ExternalIdentity
from loket.config import OidcClient
from loket.core.identifiers import make_national_number
from loket.core.models import Membership, User
from tests.conftest import demo_user

RESIDENTS = OidcClient("https://fas.example.be", "loket", "secret", enterprise_claim="cbe")
AGENTS = OidcClient(
    "https://login.irisnet.example",
    "loket-agents",
    "secret",
    national_number_claim="",
    groups_claim="groups",
    groups={
        "parking-agents": {"administration": "parking-brussels", "role": "agent"},
        "ixelles-agents": {"administration": "21009", "role": "agent"},
        "region-dpo": {"administration": "paradigm", "role": "dpo"},
        "ghost": {"administration": "no-such-administration", "role": "agent"},
    },
)


def memberships(user: User) -> set[tuple[str, str]]:
    return set(user.memberships.values_list("administration_id", "role"))


@pytest.mark.django_db
def test_a_resident_is_matched_by_national_number_and_the_identity_is_remembered() -> None:
    resident = demo_user("resident")
    claims = {"sub": "fas-123", "national_number": resident.national_number}
    assert do_match_resident(claims, RESIDENTS) == resident
    assert ExternalIdentity.objects.get(issuer=RESIDENTS.issuer, subject="fas-123").user == resident


@pytest.mark.django_db
def test_a_resident_unknown_to_loket_is_created_with_the_names_of_the_id_token() -> None:
    number = make_national_number(date(1990, 2, 14), 42)
    claims = {"sub": "x", "national_number": number, "given_name": "Lea", "family_name": "Peeters"}
    user = do_match_resident(claims, RESIDENTS)
    assert (user.national_number, user.get_full_name()) == (number, "Lea Peeters")
    assert not user.has_usable_password()
    assert do_match_resident(claims, RESIDENTS) == user  # the second login finds them


@pytest.mark.django_db
@pytest.mark.parametrize("value", [None, "", "85073003329", "not a number", 12, True])
def test_a_login_without_a_valid_national_number_is_refused(value: object) -> None:
    claims = {"sub": "x", "national_number": value}
    with pytest.raises(LoginRefused) as refused:
        do_match_resident(claims, RESIDENTS)
    assert refused.value.refusal is errors.IDENTIFIER_MISSING
    assert not ExternalIdentity.objects.filter(subject="x").exists()


@pytest.mark.django_db
def test_the_enterprise_represented_is_set_at_each_login_and_cleared_when_absent() -> None:
    resident = demo_user("resident")
    claims = {"sub": "s", "national_number": resident.national_number, "cbe": "0403.170.701"}
    assert do_match_resident(claims, RESIDENTS).enterprise_number == "0403170701"
    del claims["cbe"]
    assert do_match_resident(claims, RESIDENTS).enterprise_number == ""


@pytest.mark.django_db
def test_a_civil_servant_is_created_from_sub_and_gets_the_memberships_of_the_groups() -> None:
    groups = ["parking-agents", "region-dpo", "coffee-club", "ghost"]
    claims = {"sub": "a-1", "given_name": "Chloé", "family_name": "Vandamme", "groups": groups}
    agent = do_match_agent(claims, AGENTS)
    assert agent.get_full_name() == "Chloé Vandamme"
    assert agent.national_number is None
    assert memberships(agent) == {("parking-brussels", "agent"), ("paradigm", "dpo")}
    assert do_match_agent(claims, AGENTS) == agent  # matched by (issuer, sub), not by name


@pytest.mark.django_db
def test_memberships_follow_the_groups_at_every_login_added_and_removed() -> None:
    agent = do_match_agent({"sub": "a-2", "groups": ["parking-agents"]}, AGENTS)
    agent = do_match_agent({"sub": "a-2", "groups": ["ixelles-agents"]}, AGENTS)
    assert memberships(agent) == {("21009", "agent")}
    agent = do_match_agent({"sub": "a-2"}, AGENTS)  # no groups claim: no membership
    assert memberships(agent) == set()


@pytest.mark.django_db
def test_sync_reports_what_it_added_and_removed() -> None:
    user = User.objects.create(username="agent-sync")
    Membership.objects.create(user=user, administration_id="21009", role="helper")
    added, removed = do_sync_memberships(user, ["parking-agents"], AGENTS.groups)
    assert (added, removed) == ({("parking-brussels", "agent")}, {("21009", "helper")})
    assert do_sync_memberships(user, ["parking-agents"], AGENTS.groups) == (set(), set())


@pytest.mark.django_db
def test_the_same_sub_at_another_issuer_is_another_person() -> None:
    other = OidcClient("https://other.example", "loket", "secret", groups_claim="groups")
    assert do_match_agent({"sub": "a-3"}, AGENTS) != do_match_agent({"sub": "a-3"}, other)
