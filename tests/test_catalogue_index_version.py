"""The catalogue search index follows changes made in other server processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loket.catalog.models import CatalogueVersion, Procedure
from loket.catalog.search import ProcedureIndex, catalogue_version, index, search_procedures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_index() -> Iterator[None]:
    """The test's transaction is rolled back: forget what the index saw, before and after."""
    index.invalidate()
    yield
    index.invalidate()


def another_process_bumps(version: int | None = None) -> None:
    CatalogueVersion.objects.update_or_create(
        id=1, defaults={"version": catalogue_version() + 1 if version is None else version}
    )


def test_a_change_saved_in_this_process_counts_for_the_others() -> None:
    before = CatalogueVersion.objects.filter(id=1).values_list("version", flat=True).first() or 0
    procedure = Procedure.objects.get(id="residents-parking-card")
    procedure.keywords = {**procedure.keywords, "en": ["zorblax"]}
    procedure.save()
    assert CatalogueVersion.objects.get(id=1).version == before + 1
    assert [p.id for p in search_procedures("zorblax")] == ["residents-parking-card"]


def test_index_rebuilds_when_another_process_changed_the_catalogue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ProcedureIndex, "RECHECK_SECONDS", 0.0)
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
    monkeypatch.setattr(ProcedureIndex, "RECHECK_SECONDS", 3600.0)
    search_procedures("parking")  # built now, version read now
    Procedure.objects.filter(id="residents-parking-card").update(
        keywords={"en": ["blorptastic"], "fr": [], "nl": []}
    )
    another_process_bumps(10_000)
    assert search_procedures("blorptastic") == []
