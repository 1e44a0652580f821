"""HTML to PDF/UA for every document the platform makes (receipts, decisions, access archives).

WeasyPrint fetches what a document references: images, style sheets, fonts. Documents hold text
typed by residents, and a fetch is a request made by the server (to an internal address, or of a
file such as /etc/passwd to embed). So the only fetches allowed are files under the project's
static folders and inline ``data:`` URIs; any other reference is skipped and the document is
rendered without it.

Each thread keeps one WeasyPrint font configuration (Pango's font map: the fonts found, loaded
and shaped once), instead of building a new one for every document: about a fifth of a
certificate's rendering time (bench/certificates.py). A process forked after one was made builds
its own.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

_kept = threading.local()


def static_roots() -> list[Path]:
    """The folders static files are served from: STATIC_ROOT and every finder's folders."""
    roots = [Path(settings.STATIC_ROOT)]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.append(Path(storage.location))
    return [root.resolve() for root in roots]


class StaticFilesOnly(URLFetcher):
    """A URL fetcher that reads files under ``roots`` and ``data:`` URIs, and refuses the rest."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=5)
        self.roots = roots

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.lower().startswith("file:"):
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve()  # resolves "..", and symbolic links
            if parts.netloc not in ("", "localhost") or not any(
                path.is_relative_to(root) for root in self.roots
            ):
                raise ValueError(f"not a static file of Loket: {url}")
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of ``html``, which may use static files and nothing else."""
    document = HTML(string=html, url_fetcher=StaticFilesOnly(static_roots()))
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", font_config=font_configuration())
    return pdf


def font_configuration() -> FontConfiguration:
    """This thread's font configuration, made once per thread and process."""
    kept = getattr(_kept, "fonts", None)
    if kept is None or kept[0] != os.getpid():
        kept = _kept.fonts = (os.getpid(), FontConfiguration())
    fonts: FontConfiguration = kept[1]
    return fonts
