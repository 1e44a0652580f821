"""Documents are rendered to PDF without fetching anything but Loket's static files: a reference to
an http:// address or to a file elsewhere on the server is skipped, and the PDF still renders."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader

from loket.core.pdf import StaticFilesOnly, font_configuration, html_to_pdf, static_roots


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def png(path: Path) -> Path:
    Image.new("RGB", (8, 8), "red").save(path)
    return path


def images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def document(body: str) -> str:
    return f'<html lang="en"><head><title>Test</title></head><body><p>Text</p>{body}</body></html>'


def test_a_document_referencing_a_web_address_renders_without_fetching_it(
    web_server: str,
) -> None:
    pdf = html_to_pdf(
        document(
            f'<link rel="stylesheet" href="{web_server}/style.css">'
            f'<img src="{web_server}/logo.png" alt="logo">'
            f"<div style=\"background: url('{web_server}/background.png')\">x</div>"
        )
    )
    assert pdf.startswith(b"%PDF")
    assert CountingHandler.hits == []


def test_files_outside_the_static_folders_are_not_read(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    outside = png(tmp_path / "outside.png")
    (static / "link.png").symlink_to(outside)  # a link inside pointing outside counts as outside
    with override_settings(STATIC_ROOT=static):
        fetcher = StaticFilesOnly(static_roots())
        for url in (
            "file:///etc/passwd",
            outside.as_uri(),
            (static / "link.png").as_uri(),
            f"file://{static}/../outside.png",
            f"file://evil.example{outside}",
            "ftp://127.0.0.1/x.png",
        ):
            with pytest.raises(ValueError, match=r"not a static file|disallowed protocol"):
                fetcher.fetch(url)
        pdf = html_to_pdf(
            document(
                f'<link rel="stylesheet" href="file:///etc/passwd">'
                f'<img src="{outside.as_uri()}" alt="">'
            )
        )
    assert pdf.startswith(b"%PDF")
    assert images_in(pdf) == 0


def test_a_static_file_and_a_data_uri_are_used(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    logo = png(static / "logo.png")
    with override_settings(STATIC_ROOT=static):
        pdf = html_to_pdf(document(f'<img src="{logo.as_uri()}" alt="logo">'))
    assert images_in(pdf) == 1
    inline = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>"
    assert html_to_pdf(document(f'<img src="{inline}" alt="">')).startswith(b"%PDF")


def test_the_apps_static_folders_are_allowed() -> None:
    roots = static_roots()
    web_static = Path(__file__).resolve().parent.parent / "src" / "loket" / "web" / "static"
    assert web_static.resolve() in roots


def test_no_module_renders_a_pdf_but_through_core_pdf() -> None:
    source = Path(__file__).resolve().parent.parent / "src" / "loket"
    users = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "weasyprint" in path.read_text(encoding="utf-8") and path.name != "pdf.py"
    ]
    assert users == []


def test_each_thread_keeps_one_font_configuration_and_documents_render_the_same() -> None:
    """The font configuration is made once per thread (not per document), and a document
    rendered with a kept configuration has the same text and fonts as the first rendering."""
    first = font_configuration()
    assert font_configuration() is first
    others: list[object] = []
    thread = threading.Thread(target=lambda: others.append(font_configuration()))
    thread.start()
    thread.join()
    assert others and others[0] is not first

    html = "<html lang='fr'><title>T</title><body><p>Élise à Ixelles</p></body></html>"
    renderings = [PdfReader(io.BytesIO(html_to_pdf(html))) for _ in range(2)]
    texts = [reader.pages[0].extract_text() for reader in renderings]
    assert texts[0] == texts[1] and "Élise à Ixelles" in texts[0]
