"""Page weight: the bytes one page costs to transfer, against its budget (docs/sustainability.md).

A page's weight is its HTML plus every file it references (stylesheets, scripts, icons, images,
fonts), each counted as it travels in production with a cold cache: the HTML gzip-compressed (the
reverse proxy compresses it), a static file as WhiteNoise sends it to a browser that accepts
brotli (its precompressed ``.br`` copy when WhiteNoise makes one, else the file itself). The
budgets below are the one place they are declared; tests/test_page_weight_budget.py holds every
demo door's pages to them, and bench/pages.py reports the same figures.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import brotli
from whitenoise.compress import Compressor

KB = 1024
# Bytes per page type, measured on the three demo doors. In December 2026 the heaviest of these
# weighs 8.2 KB, of which the stylesheet is 4.7 KB: each budget is about twice today's page, so a
# page can grow but not double, and pages whose length follows the data (the catalogue, the
# queue) have more room. Every other page keeps DEFAULT_BUDGET, which the browser test
# (tests/e2e/test_accessibility.py) checks on every page template.
BUDGETS: dict[str, int] = {
    "home": 16 * KB,
    "catalogue": 20 * KB,
    "procedure page": 16 * KB,
    "search": 16 * KB,
    "form page": 16 * KB,
    "my cases": 16 * KB,
    "back-office queue": 24 * KB,
}
DEFAULT_BUDGET = 50 * KB
# Where the budgets are measured (tests/test_page_weight_budget.py, bench/pages.py): the three
# demo doors by their primary host names, and one page of each type with who is logged in.
MEASURED_DOORS = ("localhost", "ixelles.localhost", "schaerbeek.localhost")
PROCEDURE_PAGE = "/en/procedures/residents-parking-card/"
MEASURED_PAGES = [
    ("home", "/en/", "resident"),
    ("catalogue", "/en/procedures/", "resident"),
    ("procedure page", PROCEDURE_PAGE, "resident"),
    ("search", "/en/search/?q=parking", "resident"),
    ("form page", PROCEDURE_PAGE + "apply/", "resident"),
    ("my cases", "/en/my-cases/", "resident"),
    ("back-office queue", "/en/back-office/", "agent-parking"),
]
HTML_GZIP_LEVEL = 6  # what a reverse proxy typically uses; 9 would flatter the figure

_compressor = Compressor(quiet=True)


def html_sizes(body: bytes) -> tuple[int, int, int]:
    """The HTML raw, gzip-compressed and brotli-compressed."""
    return len(body), len(gzip.compress(body, HTML_GZIP_LEVEL)), len(brotli.compress(body))


def static_transfer_size(name: str, body: bytes) -> int:
    """What WhiteNoise sends for a static file to a browser accepting brotli: the ``.br`` copy
    if it makes one (a compressible type, at least 5 % smaller), else the file as it is."""
    if not body or not _compressor.should_compress(name):
        return len(body)
    compressed = len(brotli.compress(body))
    return compressed if compressed <= 0.95 * len(body) else len(body)


class _References(HTMLParser):
    """The files a page makes the browser fetch: stylesheets and icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("href"):
            rel = (found.get("rel") or "").split()
            if {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
                self.urls.append(found["href"] or "")
        elif tag in ("script", "img", "source") and found.get("src"):
            self.urls.append(found["src"] or "")


def referenced_files(html: str) -> list[str]:
    """Each same-site file ``html`` references, once, in order (no data: or other sites' URLs:
    a page of Loket references none, and the browser test fails on a third-party request)."""
    parser = _References()
    parser.feed(html)
    seen: dict[str, None] = {}
    for url in parser.urls:
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/"):
            seen.setdefault(parts.path, None)
    return list(seen)


@dataclass
class Weight:
    page: str
    path: str
    html_raw: int = 0
    html_gzip: int = 0
    html_brotli: int = 0
    files: dict[str, int] = field(default_factory=dict)  # path → bytes as transferred

    @property
    def files_total(self) -> int:
        return sum(self.files.values())

    @property
    def total(self) -> int:
        return self.html_gzip + self.files_total

    @property
    def budget(self) -> int:
        return BUDGETS.get(self.page, DEFAULT_BUDGET)


def page_weight(get: Callable[[str], Any], page: str, path: str) -> Weight:
    """The weight of ``path`` fetched with ``get`` (a test client's), with every file it
    references fetched the same way."""
    response = get(path)
    if response.status_code != 200:
        raise AssertionError(f"{path}: {response.status_code}")
    body = response.content
    weight = Weight(page, path)
    weight.html_raw, weight.html_gzip, weight.html_brotli = html_sizes(body)
    for url in referenced_files(body.decode()):
        file = get(url)
        if file.status_code != 200:
            raise AssertionError(f"{path} references {url}: {file.status_code}")
        # Read to the end: a test client's streamed response closes itself then.
        content = b"".join(file.streaming_content) if file.streaming else file.content
        weight.files[url] = static_transfer_size(url, content)
    return weight
