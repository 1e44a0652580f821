"""Light pages in production: static files are compressed, carry a content hash in their name and
are cached for a year (WhiteNoise's CompressedManifestStaticFilesStorage, set when
LOKET_ENV=production). The page-weight budget itself is measured in the browser, in
test_accessibility.py."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

PRODUCTION_STORAGE = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=404)


@pytest.mark.django_db  # closing the response sends request_finished, which closes connections
def test_static_files_are_compressed_hashed_and_cached_for_a_year(tmp_path: Path) -> None:
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGE, WHITENOISE_USE_FINDERS=False
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        url = staticfiles_storage.url("loket/loket.css")
        assert re.fullmatch(r"/static/loket/loket\.[0-9a-f]{12}\.css", url), url
        stored = tmp_path / url.removeprefix("/static/")
        compressed = Path(f"{stored}.gz")
        assert gzip.decompress(compressed.read_bytes()) == stored.read_bytes()

        serve = WhiteNoiseMiddleware(not_found)
        response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip"))
        assert response.status_code == 200
        assert response["Content-Encoding"] in {"gzip", "br"}
        assert "Accept-Encoding" in response["Vary"]
        cache = response["Cache-Control"]
        assert "immutable" in cache and "public" in cache
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600  # type: ignore[union-attr]
        response.close()


def test_every_static_file_collects_for_production(tmp_path: Path) -> None:
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGE, WHITENOISE_USE_FINDERS=False
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
