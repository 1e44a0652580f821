"""The catalogue held in memory (its search index, the home page's lists) follows changes made
in other server processes."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.catalog.models import Procedure
from loket.catalog.search import catalogue, search_procedures
from loket.core.models import ReferenceVersion
from loket.core.versioned import current_version

pytestmark = pytest.mark.django_db


def another_process_bumps(version: int | None = None) -> None:
    ReferenceVersion.objects.update_or_create(
        topic="catalogue",
        defaults={"version": current_version("catalogue") + 1 if version is None else version},
    )


def test_a_change_saved_in_this_process_counts_for_the_others() -> None:
    before = current_version("catalogue")
    procedure = Procedure.objects.get(id="residents-parking-card")
    procedure.keywords = {**procedure.keywords, "en": ["zorblax"]}
    procedure.save()
    assert ReferenceVersion.objects.get(topic="catalogue").version == before + 1
    assert [p.id for p in search_procedures("zorblax")] == ["residents-parking-card"]


def test_index_rebuilds_when_another_process_changed_the_catalogue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalogue, "recheck_seconds", 0.0)
    assert search_procedures("quuxwidget") == []
    # Another process edits the catalogue: its signals run there, not here. Only the row and
    # the version number change in the database.
    Procedure.objects.filter(id="residents-parking-card").update(
        keywords={"en": ["quuxwidget"], "fr": [], "nl": []}
    )
    assert search_procedures("quuxwidget") == [], "no version change: the index is kept"
    another_process_bumps()
    assert [p.id for p in search_procedures("quuxwidget")] == ["residents-parking-card"]


def test_index_is_not_reread_before_the_recheck_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "recheck_seconds", 3600.0)
    search_procedures("parking")  # built now, version read now
    Procedure.objects.filter(id="residents-parking-card").update(
        keywords={"en": ["blorptastic"], "fr": [], "nl": []}
    )
    another_process_bumps(10_000)
    assert search_procedures("blorptastic") == []


def test_a_procedure_page_comes_from_the_held_catalogue_and_an_unknown_one_is_a_404(
    client: Client,
) -> None:
    procedure = Procedure.objects.get(id="residents-parking-card")
    procedure.names = {**procedure.names, "en": "Parking card of the neighbourhood"}
    procedure.save()  # this process: seen at once
    page = client.get("/en/procedures/residents-parking-card/")
    assert "Parking card of the neighbourhood" in page.content.decode()
    assert client.get("/en/procedures/no-such-procedure/").status_code == 404


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_home_page_links_each_procedure_in_its_own_language(
    client: Client, language: str
) -> None:
    for _ in range(2):  # the second time, the addresses come from memory
        html = client.get(f"/{language}/").content.decode()
        assert f'href="/{language}/procedures/residents-parking-card/"' in html
        others = {"fr", "nl", "en"} - {language}
        assert not any(f'href="/{other}/procedures/residents-' in html for other in others)
