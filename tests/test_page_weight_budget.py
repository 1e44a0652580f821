"""Every demo door's most used pages stay within their page-weight budget (loket.web.weight):
HTML gzip-compressed plus every file the page references, as transferred with a cold cache."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.web.weight import (
    BUDGETS,
    MEASURED_DOORS,
    MEASURED_PAGES,
    page_weight,
    referenced_files,
    static_transfer_size,
)
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db

DOORS = MEASURED_DOORS
PAGES = MEASURED_PAGES


def test_every_page_type_has_a_budget() -> None:
    assert {page for page, _path, _who in PAGES} == set(BUDGETS)


@pytest.mark.parametrize("host", DOORS)
@pytest.mark.parametrize(("page", "path", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_a_door_s_page_stays_within_its_budget(host: str, page: str, path: str, who: str) -> None:
    client = Client(HTTP_HOST=host)
    client.force_login(demo_user(who))
    weight = page_weight(client.get, page, path)
    assert "/static/loket/loket.css" in weight.files, "the stylesheet is counted"
    if host != DOORS[0]:  # the region's door has no logo of its own
        assert any(name.startswith("/static/doors/") for name in weight.files), "the logo"
    assert weight.total <= weight.budget, (
        f"{host}{path}: {weight.total} bytes (HTML {weight.html_gzip}, files {weight.files})"
        f" over the {page} budget of {weight.budget}"
    )


def test_the_weight_counts_every_referenced_file_once() -> None:
    html = (
        '<link rel="stylesheet" href="/static/a.css"><link rel="icon" href="/static/i.svg">'
        '<script src="/static/a.js"></script><img src="/static/p.png" alt="">'
        '<link rel="stylesheet" href="/static/a.css"><img src="https://elsewhere.example/x.png">'
        '<link rel="alternate" href="/nl/">'
    )
    assert referenced_files(html) == ["/static/a.css", "/static/i.svg", "/static/a.js",
                                      "/static/p.png"]  # fmt: skip


def test_a_file_counts_compressed_only_when_whitenoise_would_compress_it() -> None:
    text = b"body { margin: 0 } " * 200
    assert static_transfer_size("/static/a.css", text) < len(text) / 10
    assert static_transfer_size("/static/p.png", text) == len(text), "images are sent as is"
    assert static_transfer_size("/static/tiny.svg", b"<svg/>") == len(b"<svg/>")
