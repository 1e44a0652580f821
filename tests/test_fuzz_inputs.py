"""Property-based tests: hostile and arbitrary input never breaks a page or comes back unescaped.

Hypothesis throws arbitrary text, unicode, very long values and classic injection strings (SQL,
HTML/JS, Django template syntax, CRLF header injection, path traversal) at the search page,
every simple field type of the form engine, the address API, a form page of the residents'
parking card and the demo login's ``next``. A ``ValidationError`` is a fine answer; a 500, any
other exception or the payload reflected unescaped is a failure. Bounded: 50 examples each.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.forms.definitions import FieldDefinition
from loket.forms.fields import FIELD_TYPES, build_field

INJECTIONS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "';alert(String.fromCharCode(88,83,83))//",
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "1; DROP TABLE core_user; --",
    '" UNION SELECT password FROM core_user --',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load log %}{% get_admin_log 10 as log %}",
    "${7*7}",
    "foo\r\nSet-Cookie: injected=1",
    "%0d%0aLocation:%20https://evil.example",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "\x00",
    "\u202e\u0644\u0627 \U0001f600 \ufeff",
    "A" * 10_000,
]
# Text that the database and HTTP can carry (no surrogates); NUL is in INJECTIONS on its own.
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
long_text = st.text(alphabet="aé<>&'\"{}%", min_size=1000, max_size=20_000)
payloads = st.one_of(st.sampled_from(INJECTIONS), text, long_text)
# Markup that would act if reflected as is; plain text may legitimately appear anywhere.
DANGEROUS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_safe(response: object, payload: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, (status, payload[:80])
    for name, value in response.items():  # type: ignore[attr-defined]
        assert "\r" not in value and "\n" not in value, (name, value)
    assert "injected" not in response.cookies  # type: ignore[attr-defined]
    if "html" in response.get("Content-Type", ""):  # type: ignore[attr-defined]
        body = response.content.decode()  # type: ignore[attr-defined]
        for dangerous in DANGEROUS:
            if dangerous in payload:
                assert dangerous not in body, dangerous
        assert "<script>alert(" not in body


@pytest.mark.django_db
@FUZZ
@given(payload=payloads)
def test_search_page(client: Client, payload: str) -> None:
    response = client.get("/en/search/", {"q": payload})
    assert_safe(response, payload)
    assert response.status_code == 200


@pytest.mark.django_db
@FUZZ
@given(payload=payloads)
def test_address_api(client: Client, payload: str) -> None:
    response = client.get("/api/v1/addresses/", {"q": payload})
    assert_safe(response, payload)
    assert response.status_code in (200, 422)  # 422: empty, blank or too long, named
    assert "json" in response["Content-Type"]
    json.loads(response.content)


SIMPLE_TYPES: dict[str, dict[str, Any]] = {
    "choice": {
        "choices": {"a": {"fr": "A", "nl": "A", "en": "A"}, "b": {"fr": "B", "nl": "B", "en": "B"}}
    },
    "choice-multiple": {"choices": {"a": {"fr": "A", "nl": "A", "en": "A"}}, "multiple": True},
    "number": {"min": 0, "max": 100},
    "number-decimals": {"decimals": True, "min": 0},
    "date": {"min_days": 0, "max_days": 90},
    "licence_plate": {},
    "text": {"max_length": 50},
}


def definition_for(kind: str) -> FieldDefinition:
    field_type = kind.split("-")[0]
    return FieldDefinition(
        name="answer",
        type=field_type,
        label={"en": "Answer"},
        options=FIELD_TYPES[field_type].options(**SIMPLE_TYPES.get(kind, {})).model_dump(),
    )


BUILT = {name for name, kind in FIELD_TYPES.items() if kind.build is not None}
FIELD_KINDS = sorted(BUILT | set(SIMPLE_TYPES))


def test_every_simple_field_type_is_fuzzed() -> None:
    assert {kind.split("-")[0] for kind in FIELD_KINDS} >= BUILT


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FIELD_KINDS)
@FUZZ
@given(payload=payloads)
def test_form_engine_field(kind: str, payload: str) -> None:
    field = build_field(definition_for(kind), {})
    value: object = [payload] if isinstance(field, forms.MultipleChoiceField) else payload
    try:
        cleaned = field.clean(value)
    except ValidationError:
        return
    if isinstance(cleaned, str):
        max_length = getattr(field, "max_length", None)
        assert max_length is None or len(cleaned) <= max_length


PARKING = "/en/procedures/residents-parking-card/apply/"


@pytest.fixture
def applying(resident_client: Client) -> Client:
    assert resident_client.post(PARKING, {"use_registers": "yes"}).status_code == 302
    return resident_client


@pytest.mark.django_db
@FUZZ
@given(payload=payloads)
def test_parking_card_plate_page(applying: Client, payload: str) -> None:
    response = applying.post(f"{PARKING}q/vehicle/", {"plate": payload})
    assert_safe(response, payload)
    assert response.status_code == 422  # never accepted: not one of the resident's vehicles


@pytest.mark.django_db
@FUZZ
@given(payload=st.one_of(payloads, st.dates().map(date.isoformat)))
def test_parking_card_start_date_page(applying: Client, payload: str) -> None:
    response = applying.post(f"{PARKING}q/start/", {"start_date": payload})
    assert_safe(response, payload)
    assert response.status_code in (302, 422)  # 422: the page again, with the error
    if response.status_code == 302:  # accepted: only a date within the allowed window
        assert response["Location"].startswith(PARKING)
        chosen = date.fromisoformat(payload)
        assert timedelta(0) <= chosen - date.today() <= timedelta(days=90)


URL_LIKE = st.one_of(
    st.sampled_from(
        ["//evil.example", "https://evil.example/x", "/\\evil.example", "/en/my-data/"]
    ),
    payloads.map(lambda payload: "/" + payload),
    payloads.map(lambda payload: "https://evil.example/" + payload),
)


@pytest.mark.django_db
@FUZZ
@given(payload=st.one_of(payloads, URL_LIKE))
def test_demo_login_page_reflects_next_escaped(client: Client, payload: str) -> None:
    assert_safe(client.get("/en/demo-login/", {"next": payload}), payload)


@pytest.mark.django_db
@FUZZ
@given(payload=URL_LIKE)
def test_demo_login_next_never_redirects_elsewhere(client: Client, payload: str) -> None:
    response = client.post("/en/demo-login/", {"identity": "resident", "next": payload})
    assert_safe(response, payload)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert not target.scheme and not target.netloc, response["Location"]
    assert not response["Location"].startswith(("//", "/\\"))


@pytest.mark.django_db
def test_demo_login_next_that_is_not_a_path_is_not_a_500(client: Client) -> None:
    response = client.post("/en/demo-login/", {"identity": "resident", "next": "not-a-path"})
    assert response.status_code == 302
