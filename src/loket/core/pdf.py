"""HTML to PDF/UA for every document the platform makes (receipts, decisions, access archives).

WeasyPrint fetches what a document references: images, style sheets, fonts. Documents hold text
typed by residents, and a fetch is a request made by the server (to an internal address, or of a
file such as /etc/passwd to embed). So the only fetches allowed are files under the project's
static folders and inline ``data:`` URIs; any other reference is skipped and the document is
rendered without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML, URLFetcher


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
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
