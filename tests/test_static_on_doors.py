"""Static files on every door, as production and the demo serve them (#18): collected with hashed
names, sent brotli- or gzip-compressed to a browser that accepts it, cached for a year and
immutable. Development and the other tests serve the apps' files uncollected (settings)."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from loket.web.weight import MEASURED_DOORS, referenced_files
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db

DOORS = MEASURED_DOORS
COLLECTED = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
YEAR = 365 * 24 * 3600
DECOMPRESS = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=COLLECTED, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def max_age(cache_control: str) -> int:
    found = re.search(r"max-age=(\d+)", cache_control)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("host", DOORS)
def test_a_door_s_static_files_are_hashed_compressed_and_cached_for_a_year(
    static_root: Path, host: str, encoding: str
) -> None:
    client = Client(HTTP_HOST=host)  # a new client: its WhiteNoise reads the collected files
    client.force_login(demo_user("resident"))
    files = referenced_files(client.get("/en/").content.decode())
    assert any("/loket/loket." in url for url in files)
    if host != DOORS[0]:  # the region's door has no logo of its own
        assert any(url.startswith("/static/doors/") for url in files), "the door's logo"
    for url in files:
        assert HASHED.match(url), url
        response = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}, identity")
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert max_age(cache) >= YEAR and "immutable" in cache and "public" in cache, (url, cache)
        stored = static_root / url.removeprefix("/static/")
        suffix = {"br": ".br", "gzip": ".gz"}[encoding]
        if url.endswith((".css", ".js")) or Path(f"{stored}{suffix}").exists():
            assert response["Content-Encoding"] == encoding, url
            assert "Accept-Encoding" in response["Vary"], url
            assert DECOMPRESS[encoding](body) == stored.read_bytes(), url


DEMO_SERVES = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

url = staticfiles_storage.url("loket/loket.css")
serve = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="br, gzip"))
print(json.dumps({"url": url, "status": response.status_code,
                  "encoding": response.get("Content-Encoding", ""),
                  "cache": response.get("Cache-Control", "")}))
"""


def test_the_demo_serves_collected_compressed_files(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "LOKET_ENV": "demo",
        "LOKET_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "loket.settings",
    }
    environment.pop("LOKET_STATIC_ROOT", None)
    run = {"env": environment, "capture_output": True, "text": True, "timeout": 180}
    subprocess.run([sys.executable, "-m", "loket.cli", "collectstatic", "--noinput"], check=True,
                   **run)  # type: ignore[call-overload]  # fmt: skip
    served = subprocess.run([sys.executable, "-c", DEMO_SERVES], check=True, **run)  # type: ignore[call-overload]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert HASHED.match(answer["url"]), answer
    assert answer["status"] == 200 and answer["encoding"] == "br", answer
    assert max_age(answer["cache"]) >= YEAR and "immutable" in answer["cache"], answer
