"""What the PostgreSQL benchmarks share: a fresh database of their own, migrated and seeded."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup_django(url: str) -> None:
    os.environ.update(
        LOKET_ENV="test", LOKET_TEST_DATABASE_URL=url, DJANGO_SETTINGS_MODULE="loket.settings"
    )
    import django

    django.setup()


def fresh_database(url: str, residents: int) -> None:
    """Drop and recreate the database at ``url``, migrate it and seed ``residents`` people."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed", residents=residents, verbosity=0, stdout=io.StringIO())


def result(name: str, value: float, unit: str, **extra: object) -> None:
    """Print one figure as a line the runner (bench/run.py) collects into the report's summary.

    ``extra`` holds the baseline, the ratio and the target when there are some; the human line
    printed before it by the benchmark stays the main output.
    """
    print("@bench " + json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_gunicorn(
    port: int, url: str, options: list[str], tries: int = 200
) -> subprocess.Popen[bytes]:
    """Loket under gunicorn on ``port`` against the database at ``url`` (test settings), with
    gunicorn's ``options`` (workers, worker class...); returned once it accepts connections."""
    env = {**os.environ, "LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": url}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "loket.wsgi:application",
         "--bind", f"127.0.0.1:{port}", *options, "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    for _ in range(tries):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


# The host the benchmarks' clients name: the region's door (web.doors), as a browser would.
HOST = "localhost"


def logged_in_session(user: Any) -> str:
    """The key of a new session of ``user``, holding what a login through the OpenID callback
    writes (accounts: the user, the session's start and last request, the host it is bound to),
    so that no measured request pays a session write a real one would not."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from loket.accounts.hosts import HOST_KEY
    from loket.accounts.middleware import LAST_SEEN_KEY, STARTED_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "loket.accounts.backends.AccountBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[STARTED_KEY] = session[LAST_SEEN_KEY] = int(time.time())
    session[HOST_KEY] = HOST
    session.create()
    return session.session_key or ""


def vehicle_holders(count: int, prefix: str) -> list[tuple[Any, str]]:
    """(account, plate) for ``count`` residents who hold a vehicle and have no account yet,
    one vehicle each; the accounts are made now, named ``<prefix>-<national number>``."""
    from loket.core.models import User
    from loket.registers.models import Vehicle

    taken = set(User.objects.exclude(national_number=None).values_list("national_number",
                                                                         flat=True))  # fmt: skip
    found: list[tuple[Any, str]] = []
    for vehicle in Vehicle.objects.select_related("holder").filter(holder__isnull=False):
        resident = vehicle.holder
        assert resident is not None
        if resident.national_number in taken:
            continue
        taken.add(resident.national_number)  # one vehicle each: one draft, no repeated sends
        user, _ = User.objects.get_or_create(
            username=f"{prefix}-{resident.national_number}",
            defaults={"national_number": resident.national_number},
        )
        found.append((user, vehicle.plate))
        if len(found) == count:
            break
    return found
