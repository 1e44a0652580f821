"""Every route declares who may use it (``loket.core.access``), and the declaration is true.

The whole URL configuration is walked (includes, namespaces, language prefixes); a route without
a policy fails the build. Then one route per policy is requested anonymously, as a resident, as
an agent and as the role it is for, and every route not meant for anonymous people is checked to
turn an anonymous visitor away (login redirect, 401, 403, 404 or 405, never a page).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from loket.core.access import POLICIES, ROUTE_POLICIES, access, policy_for
from tests.conftest import client_for

TURNED_AWAY = {301, 302, 401, 403, 404, 405}
SAMPLE_VALUES: dict[str, object] = {
    "int": 1,
    "slug": "residents-parking-card",
    "string": "BRU-2026-0000000-00",
    "uuid": uuid.UUID("00000000-0000-4000-8000-000000000000"),
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    view: Callable[..., object]
    converters: dict[str, str]


def walk(
    patterns: list[URLPattern | URLResolver], namespace: str = "", prefix: str = ""
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        else:
            converters = {
                key: type(value).__name__.removesuffix("Converter").lower()
                for key, value in getattr(entry.pattern, "converters", {}).items()
            }
            yield Route(
                f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback, converters
            )


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def test_the_walk_sees_the_language_prefixed_and_the_plain_routes() -> None:
    patterns = {route.pattern for route in all_routes()}
    assert "healthz" in patterns and "urbis/feed.csv" in patterns
    assert any(pattern[:3] in {"fr/", "nl/", "en/"} for pattern in patterns)  # i18n walked
    assert len(patterns) >= 50


def test_every_route_declares_an_access_policy() -> None:
    missing = [
        f"{route.name} ({route.pattern})"
        for route in all_routes()
        if policy_for(route.name, route.view) is None
    ]
    assert not missing, "routes without an access policy in loket/core/access.py: " + ", ".join(
        missing
    )


def test_every_declared_policy_is_known_and_names_a_real_route() -> None:
    names = {route.name for route in all_routes()}
    assert set(ROUTE_POLICIES.values()) <= POLICIES
    assert set(ROUTE_POLICIES) <= names, set(ROUTE_POLICIES) - names


def test_the_decorator_declares_on_the_view_and_wins() -> None:
    @access("agent")
    def view() -> None: ...

    assert policy_for("web:home", view) == "agent"
    with pytest.raises(ValueError):
        access("everyone")


def sample_url(route: Route) -> str | None:
    if not route.converters and ("^" in route.pattern or "(?P" in route.pattern):
        return None  # regular-expression routes (open data files) are all anonymous
    kwargs = {key: SAMPLE_VALUES[kind] for key, kind in route.converters.items()}
    if route.name.endswith("document"):
        kwargs["kind"] = "receipt"
    with translation.override("en"):
        return reverse(route.name, kwargs=kwargs)


@pytest.mark.django_db
def test_no_route_for_people_who_logged_in_serves_an_anonymous_visitor(client: Client) -> None:
    checked = 0
    for route in all_routes():
        if policy_for(route.name, route.view) == "anonymous":
            continue
        url = sample_url(route)
        assert url is not None, route.name
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in TURNED_AWAY, (route.name, method, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response["Location"], (route.name, response["Location"])
        checked += 1
    assert checked >= 25


def is_turned_away(response: object) -> bool:
    status = response.status_code  # type: ignore[attr-defined]
    if status == 302:
        return "/login/" in response["Location"]  # type: ignore[index]
    return status in {401, 403, 404}


# (policy, url, who may: key of the demo identity that must get a page)
SUBSET = [
    ("anonymous", "/en/", None),
    ("anonymous", "/en/incidents/", None),
    ("resident", "/en/my-cases/", "resident"),
    ("resident", "/en/my-data/", "resident"),
    ("agent", "/en/back-office/", "agent-parking"),
    ("dpo", "/en/privacy/dpo/", "dpo"),
    ("designer", "/en/designer/", "designer"),
    ("token", "/urbis/feed.csv", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("policy", "url", "holder"), SUBSET)
def test_one_route_per_policy_answers_each_kind_of_visitor(
    policy: str, url: str, holder: str | None, settings: SettingsWrapper
) -> None:
    settings.LOKET_URBIS_FEED_TOKEN = "feed-token-for-tests"
    anonymous, resident, agent = Client(), client_for("resident"), client_for("agent-ixelles")
    answers = {
        "anonymous": anonymous.get(url),
        "resident": resident.get(url),
        "agent": agent.get(url),
    }
    if policy == "anonymous":
        assert all(answer.status_code == 200 for answer in answers.values()), url
    elif policy == "resident":
        assert is_turned_away(answers["anonymous"])
        assert answers["resident"].status_code == 200
        assert answers["agent"].status_code == 200  # a civil servant is a resident too
    elif policy == "agent":
        assert is_turned_away(answers["anonymous"])
        assert is_turned_away(answers["resident"])
        assert answers["agent"].status_code == 200
    elif policy in {"dpo", "designer"}:
        assert is_turned_away(answers["anonymous"])
        assert is_turned_away(answers["resident"])
        assert is_turned_away(answers["agent"])
    elif policy == "token":
        assert all(is_turned_away(answer) for answer in answers.values())
        bearer = anonymous.get(url, HTTP_AUTHORIZATION="Bearer feed-token-for-tests")
        assert bearer.status_code == 200
        assert is_turned_away(anonymous.get(url, HTTP_AUTHORIZATION="Bearer wrong"))
    if holder is not None:
        assert client_for(holder).get(url).status_code == 200, (policy, holder)


@pytest.mark.django_db
def test_the_helper_policy_needs_a_mandate() -> None:
    url = reverse("web:mandate-act", kwargs={"mandate_id": 999999})
    assert is_turned_away(Client().post(url))
    assert client_for("helper").post(url).status_code == 404  # no such mandate held
    assert client_for("resident").post(url).status_code == 404
