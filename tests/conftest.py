"""Shared fixtures: one seeded database for the whole run (reference data, catalogue, registers).

Regular tests run inside a transaction on top of that seed and roll back. Tests that need real
commits (the browser tests, through ``live_server``) reseed with ``seeded_transactional``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from loket.audit.immutability import set_maintenance
from loket.cases.models import Case
from loket.catalog.reference import load_catalogue
from loket.core.models import User
from loket.core.reference import load_administrations
from loket.core.versioned import forget_all
from loket.doors.demo import seed_demo_doors
from loket.geo.importer import import_shipped_samples
from loket.registers.generator import RegisterGenerator, registers_are_empty
from loket.web.demo import create_demo_users

TEST_RESIDENTS = 300


def seed() -> None:
    load_administrations()
    load_catalogue()
    import_shipped_samples()
    if registers_are_empty():
        RegisterGenerator(TEST_RESIDENTS, seed=7).run()
    create_demo_users()
    # The demo's doors; the test client's default host opens the region's.
    seed_demo_doors(extra_region_hosts=("testserver",))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        seed()


@pytest.fixture
def seeded_transactional(transactional_db: None) -> Iterator[None]:
    seed()
    yield
    # The runner empties the database after the test; the log's triggers must let it (SQLite).
    set_maintenance(True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last, after pytest-django's ordering by database use: the Playwright
    session keeps an event loop running in this thread, under which pyHanko's seal (which runs
    its own loop) cannot work in a test that comes after."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))


def pytest_runtest_setup(item: pytest.Item) -> None:
    set_maintenance(False)  # every test starts with the log's triggers in force
    # The doors and the catalogue index held in memory: a test rolled back leaves no signal
    # behind, so a copy built from its rows would outlive them.
    forget_all()
    # A request to /nl/… leaves its language active in the thread; every test starts from the
    # default language instead of whatever the previous test asked for.
    translation.deactivate()


@pytest.fixture
def in_english() -> Iterator[None]:
    """For tests that read English wording or reverse URLs expecting /en/."""
    with translation.override("en"):
        yield


def days_ago(days: int) -> datetime:
    """Noon in Brussels ``days`` calendar days ago: ``days`` times 24 hours back can land
    on another calendar day across a change of summer time, and the code counts calendar days."""
    day = timezone.localdate() - timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(12)))


def stop_clock(monkeypatch: pytest.MonkeyPatch, module: str, at: datetime) -> None:
    """``timezone.now()`` gives ``at`` in ``module`` (a dotted name), and only there."""
    monkeypatch.setattr(f"{module}.timezone", SimpleNamespace(now=lambda: at))


@pytest.fixture
def steady_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiter's clock stopped mid-window (12:30:30 UTC today: halfway through its
    minute, hour and day, all aligned on the epoch), so a test's requests never straddle two
    windows and the limit is always reached."""
    at = timezone.now().replace(hour=12, minute=30, second=30, microsecond=0)
    stop_clock(monkeypatch, "loket.core.ratelimit", at)


def demo_user(key: str) -> User:
    return User.objects.get(username=f"demo-{key}")


@pytest.fixture
def resident(db: None) -> User:
    return demo_user("resident")


@pytest.fixture
def resident_client(resident: User) -> Client:
    client = Client()
    client.force_login(resident)
    return client


def client_for(key: str) -> Client:
    client = Client()
    client.force_login(demo_user(key))
    return client


@pytest.fixture(scope="module")
def address_register(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The shipped address samples, with the geocoder's index rebuilt around the module."""
    from loket.geo import index

    with django_db_blocker.unblock():
        import_shipped_samples()
        index.invalidate()
        yield
        index.invalidate()


def with_version(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """A back-office form as the case page sends it: with the case's version as shown."""
    return {**data, "version": str(Case.objects.values_list("version", flat=True).get(pk=case.pk))}


@pytest.fixture(scope="session")
def seal_authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo seal authority made for this run, and a real RFC 3161 server over HTTP."""
    from loket.core.democa import DEMO_PASSWORD, make_demo_authority
    from tests.timestamp_server import TimestampServer

    authority = make_demo_authority(tmp_path_factory.mktemp("seal"))
    with TimestampServer(authority.tsa, DEMO_PASSWORD) as tsa:
        yield {
            "authority": authority,
            "tsa": tsa,
            "settings": {
                "pkcs12": str(authority.seal),
                "password": DEMO_PASSWORD.decode(),
                "pkcs11": {},
                "trust_anchors": str(authority.root),
                "tsa_url": tsa.url,
                "demo_dir": str(authority.folder / "unused"),
            },
        }


@pytest.fixture
def sealing(seal_authority: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Seal with the run's authority, timestamp through the HTTP server, files under tmp_path."""
    settings.LOKET_SEAL = seal_authority["settings"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return seal_authority
