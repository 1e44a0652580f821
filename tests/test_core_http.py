"""Loket's one HTTP client against real local HTTP servers that misbehave on purpose: trickling
their headers or body byte by byte, sending too much, redirecting."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from loket.core.http import (
    ConnectionFailed,
    DeadlineExceeded,
    HttpClient,
    ResponseTooLarge,
    TooManyRedirects,
)

DEADLINE = 0.5
# What a cut may take beyond the deadline: the watchdog's wake-up and the socket's shutdown.
MARGIN = 0.3
Route = Callable[[BaseHTTPRequestHandler], None]


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The client hangs up on trickling answers on purpose: nothing to report."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Server

    def _route(self) -> None:
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        route = self.server.routes.get(self.path.split("?")[0], reply(404, b""))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    do_GET = do_POST = _route

    def log_message(self, format: str, *args: Any) -> None:
        pass


def reply(status: int, body: bytes, **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        if "Content-Length" in handler.headers:
            handler.rfile.read(int(handler.headers["Content-Length"]))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def trickling_body(length: bool, interval: float = 0.05) -> Route:
    body = b'{"answer": "' + b"x" * 400 + b'"}'

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(interval)

    return route


def trickling_headers(handler: BaseHTTPRequestHandler) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"." * 400:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.05)


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("http", "https", "all"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)


def cut_within_deadline(call: Callable[[], object]) -> DeadlineExceeded:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        call()
    elapsed = time.monotonic() - started
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + MARGIN, f"cut after {elapsed:.2f}s"
    return caught.value


def test_an_answer_is_returned_with_its_status_headers_and_body(server: Server) -> None:
    server.routes["/ok"] = reply(200, b'{"ok": true}', **{"Content-Type": "application/json"})
    response = HttpClient(timeout=DEADLINE).post(
        f"{server.base}/ok", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert (response.status, response.ok, response.body) == (200, True, b'{"ok": true}')
    assert response.headers["content-type"] == "application/json"
    method, _path, headers = server.seen[0]
    assert method == "POST" and headers["User-Agent"].startswith("Loket/")


@pytest.mark.parametrize("length", [True, False], ids=["with-length", "until-close"])
def test_a_body_trickled_byte_by_byte_is_cut_at_the_deadline(server: Server, length: bool) -> None:
    server.routes["/slow"] = trickling_body(length)
    error = cut_within_deadline(lambda: HttpClient(timeout=DEADLINE).get(f"{server.base}/slow"))
    assert str(error) == "timeout"


def test_headers_trickled_byte_by_byte_are_cut_at_the_deadline(server: Server) -> None:
    server.routes["/slow"] = trickling_headers
    cut_within_deadline(lambda: HttpClient(timeout=DEADLINE).get(f"{server.base}/slow"))


def test_a_tls_handshake_that_never_completes_is_cut_at_the_deadline() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # never accepts: TCP completes, nobody answers the TLS hello
        port = silent.getsockname()[1]
        cut_within_deadline(lambda: HttpClient(timeout=DEADLINE).get(f"https://127.0.0.1:{port}/"))


def test_a_body_nobody_wants_is_not_waited_for(server: Server) -> None:
    server.routes["/slow"] = trickling_body(length=True)
    started = time.monotonic()
    response = HttpClient(timeout=DEADLINE).get(f"{server.base}/slow", read_body=False)
    assert (response.status, response.body) == (200, b"")
    assert time.monotonic() - started < DEADLINE / 2


def test_an_answer_over_the_maximum_is_refused_announced_or_streamed(server: Server) -> None:
    server.routes["/announced"] = reply(200, b"x" * 2048)

    def streamed(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(b"x" * 100_000)

    server.routes["/streamed"] = streamed
    client = HttpClient(timeout=2.0, max_bytes=1024)
    for path in ("/announced", "/streamed"):
        with pytest.raises(ResponseTooLarge):
            client.get(f"{server.base}{path}")


def test_a_redirect_is_an_answer_unless_the_client_follows_them(server: Server) -> None:
    other = Server()
    threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.05}).start()
    try:
        other.routes["/there"] = reply(200, b"there")
        server.routes["/here"] = reply(302, b"", Location=f"{other.base}/there")
        server.routes["/loop"] = reply(307, b"", Location="/loop")
        headers = {"Authorization": "Bearer s3cret"}
        plain = HttpClient(timeout=DEADLINE).get(f"{server.base}/here", headers=headers)
        assert (plain.status, plain.headers["Location"]) == (302, f"{other.base}/there")
        assert other.seen == []
        following = HttpClient(timeout=DEADLINE, follow_redirects=True)
        followed = following.get(f"{server.base}/here", headers=headers)
        assert (followed.status, followed.body) == (200, b"there")
        assert followed.url == f"{other.base}/there"
        # The token was for the first host only.
        assert "Authorization" not in other.seen[0][2]
        with pytest.raises(TooManyRedirects):
            following.get(f"{server.base}/loop")
    finally:
        other.shutdown()
        other.server_close()


def test_a_refused_connection_is_named_and_the_failure_never_quotes_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed) as caught:
        HttpClient(timeout=DEADLINE).get(f"http://127.0.0.1:{port}/v1/persons/85073003328")
    assert str(caught.value) == "connection refused"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_watchdog_leaves_no_open_descriptor_behind(server: Server) -> None:
    server.routes["/ok"] = reply(200, b"ok")
    server.routes["/slow"] = trickling_body(length=True)
    client = HttpClient(timeout=DEADLINE)
    client.get(f"{server.base}/ok")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        client.get(f"{server.base}/ok")
        with pytest.raises(DeadlineExceeded):
            HttpClient(timeout=0.1).get(f"{server.base}/slow")
    time.sleep(0.3)  # the server's side of the cut connections (in this process) closes too
    assert len(os.listdir("/proc/self/fd")) <= before
