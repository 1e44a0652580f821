"""The one HTTP client for every call Loket makes to another system.

Registers (``loket.sources.http``), webhook receivers (``loket.api.webhooks``) and any provider to
come call other systems through :class:`HttpClient`, built on ``requests``. It gives each exchange
what a slow or hostile peer must not be able to take away:

- **a deadline for the whole exchange**: connecting, the TLS handshake, sending, the status line
  and headers, and the body all fit in ``timeout`` seconds. A socket timeout alone bounds each read,
  not the exchange: a peer that sends one byte every 0.2 s would never trip it. So a watchdog shuts
  the connection's socket down when the deadline passes, whatever is blocked on it, and the clock
  is checked between body chunks. Only name resolution is outside the deadline: it is the system
  resolver's, bounded by its own timeout (``/etc/resolv.conf``);
- **a maximum response size**, refused from ``Content-Length`` before reading, and counted while
  streaming otherwise;
- **no redirect** unless the client is made with ``follow_redirects=True``: a redirect would carry
  credentials and personal data in the URL somewhere else;
- **clear failures**: :class:`DeadlineExceeded`, :class:`ResponseTooLarge`,
  :class:`ConnectionFailed`, :class:`TooManyRedirects`, all :class:`HttpFailure`. Their text is a
  short reason that never quotes the URL (which may carry an identifier), so it can be logged.

A status other than 2xx is an answer, not a failure: the caller decides what it means.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from loket import __version__

DEFAULT_MAX_BYTES = 1024 * 1024
CHUNK_BYTES = 16 * 1024
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"Loket/{__version__}"


class HttpFailure(Exception):
    """The exchange gave no complete answer. ``str()`` is a short reason, safe to log."""


class DeadlineExceeded(HttpFailure):
    """The whole exchange did not fit in the client's timeout."""

    def __init__(self, reason: str = "timeout") -> None:
        super().__init__(reason)


class ResponseTooLarge(HttpFailure):
    """The answer is larger than the client's ``max_bytes``."""

    def __init__(self, reason: str = "answer too large") -> None:
        super().__init__(reason)


class ConnectionFailed(HttpFailure):
    """No answer: refused, reset, unknown host, TLS failure or a broken HTTP exchange."""


class TooManyRedirects(HttpFailure):
    def __init__(self, reason: str = "too many redirects") -> None:
        super().__init__(reason)


@dataclass(frozen=True)
class Response:
    """A complete answer. ``body`` is empty when the caller did not want it for this status."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class HttpClient:
    """Calls with one policy: ``timeout`` seconds for each whole exchange, at most ``max_bytes``.

    ``trust_env`` takes proxies (``https_proxy``, ``no_proxy``) and a CA bundle
    (``REQUESTS_CA_BUNDLE``) from the environment, as operators expect of calls to a known
    system; calls to addresses chosen by others (webhooks) turn it off. Certificates are always
    verified, against the system's trust store and requests' bundle.
    """

    timeout: float
    max_bytes: int = DEFAULT_MAX_BYTES
    user_agent: str = USER_AGENT
    trust_env: bool = True
    follow_redirects: bool = False

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        read_body: bool | Callable[[int], bool] = True,
    ) -> Response:
        return self.request("GET", url, headers=headers, read_body=read_body)

    def post(
        self,
        url: str,
        *,
        data: bytes,
        headers: Mapping[str, str] | None = None,
        read_body: bool | Callable[[int], bool] = True,
    ) -> Response:
        return self.request("POST", url, headers=headers, data=data, read_body=read_body)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        read_body: bool | Callable[[int], bool] = True,
    ) -> Response:
        """Send one request; the answer, whatever its status, within the deadline.

        ``read_body`` says whether to read the body (for every status, or for the statuses for
        which it returns true): a body nobody reads is neither waited for nor downloaded.
        Raises :class:`HttpFailure` when there is no complete answer in time.
        """
        deadline = time.monotonic() + self.timeout
        watchdog = _Watchdog(deadline)
        session = requests.Session()
        session.trust_env = self.trust_env
        adapter = _DeadlineAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        token = _WATCHDOG.set(watchdog)
        try:
            return self._exchange(session, adapter, method, url, headers, data, read_body, deadline)
        except HttpFailure:
            if watchdog.fired:
                raise DeadlineExceeded() from None
            raise
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            http.client.HTTPException,
            OSError,
            ValueError,  # http.client raises it on a malformed chunk size
        ) as error:
            # "from None": the chained errors quote the URL, which may carry an identifier.
            reason = _reason(error)
            if watchdog.fired or time.monotonic() >= deadline or reason == "timeout":
                raise DeadlineExceeded() from None
            raise ConnectionFailed(reason) from None
        finally:
            _WATCHDOG.reset(token)
            watchdog.stop()
            session.close()

    def _exchange(
        self,
        session: requests.Session,
        adapter: HTTPAdapter,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        data: bytes | None,
        read_body: bool | Callable[[int], bool],
        deadline: float,
    ) -> Response:
        sent_headers = {"User-Agent": self.user_agent, **(headers or {})}
        for _ in range(MAX_REDIRECTS + 1):
            # The adapter, not Session.send: even when told not to follow a redirect,
            # Session.send reads the whole body of a 3xx answer, with no limit.
            prepared = requests.Request(method, url, headers=sent_headers, data=data).prepare()
            environment = session.merge_environment_settings(url, {}, True, True, None)
            left = _time_left(deadline)
            answer = adapter.send(
                prepared,
                stream=True,
                timeout=(left, left),
                verify=environment["verify"],
                proxies=environment["proxies"],
            )
            with contextlib.closing(answer):
                location = answer.headers.get("Location")
                if self.follow_redirects and answer.status_code in REDIRECT_STATUSES and location:
                    target = urljoin(url, location)
                    if _origin(target) != _origin(url):
                        # Credentials are for the host they were configured for.
                        sent_headers = {
                            k: v for k, v in sent_headers.items() if k.lower() != "authorization"
                        }
                    if answer.status_code == 303 or (
                        answer.status_code in (301, 302) and method == "POST"
                    ):
                        method, data = "GET", None
                    url = target
                    continue
                wanted = read_body(answer.status_code) if callable(read_body) else read_body
                body = self._read(answer, deadline) if wanted else b""
                return Response(answer.status_code, answer.headers, body, url)
        raise TooManyRedirects()

    def _read(self, answer: requests.Response, deadline: float) -> bytes:
        declared = answer.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLarge()
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.raw.stream(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > self.max_bytes:
                raise ResponseTooLarge()
            chunks.append(chunk)
            if time.monotonic() >= deadline:
                raise DeadlineExceeded()
        # A body without Content-Length ends when the connection closes, and so it seems to
        # when the watchdog shuts the socket: a cut answer must never pass for a whole one.
        watchdog = _WATCHDOG.get()
        if watchdog is not None and watchdog.fired:
            raise DeadlineExceeded()
        return b"".join(chunks)


# -- the deadline --------------------------------------------------------------------------------


class _Watchdog:
    """Shuts down every socket of one exchange when its deadline passes.

    It holds a duplicate of each socket's descriptor: ``shutdown`` on the duplicate ends the
    connection for whoever is blocked on the original (in connect's TLS handshake, the status
    line, the headers or the body), and the duplicate is closed only here, so a descriptor number
    reused elsewhere after the original closed can never be shut down by mistake.
    """

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self._finished = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        # The waiter sleeps in select() with a relative timeout, woken early by ``stop`` through
        # a socket pair. (threading.Timer waits on a lock until an absolute monotonic time, which
        # clock-shifting tools such as libfaketime, used by `make test-future`, get wrong.)
        self._wake, self._waker = socket.socketpair()
        waiter = threading.Thread(target=self._wait, args=(deadline,), daemon=True)
        waiter.start()

    def _wait(self, deadline: float) -> None:
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._fire()
                    return
                woken, _, _ = select.select([self._wake], [], [], remaining)
                if woken:
                    return
        finally:
            self._wake.close()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._finished:
                return
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self.fired:
                _shut(duplicate)

    def _fire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # the waiter has already fired and gone
            self._waker.send(b"\0")
        self._waker.close()
        with self._lock:
            self._finished = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)


# The watchdog of the exchange running in this thread (or task), for the connections it opens.
_WATCHDOG: contextvars.ContextVar[_Watchdog | None] = contextvars.ContextVar(
    "loket_http_watchdog", default=None
)


def _watched(sock: socket.socket) -> socket.socket:
    """Put a new connection's socket under the current request's watchdog, if any."""
    watchdog = _WATCHDOG.get()
    if watchdog is not None:
        watchdog.watch(sock)
    return sock


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        # Registered before the TLS handshake, which runs on this same connection.
        return _watched(super()._new_conn())


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _WatchedHTTPConnectionPool,
    "https": _WatchedHTTPSConnectionPool,
}


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections the watchdog can see, and no retry."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        # The system's trust store (and SSL_CERT_FILE) as well as requests' own bundle: a
        # register behind a CA installed on the machine keeps working.
        kwargs.setdefault("ssl_context", ssl.create_default_context())
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded()
    return left


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


# -- naming what went wrong ----------------------------------------------------------------------


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything it wraps (requests and urllib3 nest them several deep)."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = (current.__cause__, current.__context__, getattr(current, "reason", None))
        stack.extend(e for e in (*wrapped, *current.args) if isinstance(e, BaseException))


def _reason(error: BaseException) -> str:
    causes = list(_causes(error))
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return "connection refused"
    if any(
        isinstance(e, ConnectionResetError | BrokenPipeError | http.client.RemoteDisconnected)
        for e in causes
    ):
        return "connection reset"
    if any(isinstance(e, socket.gaierror | urllib3.exceptions.NameResolutionError) for e in causes):
        return "host not found"
    # After the others: urllib3's NewConnectionError (a refusal) is a kind of ConnectTimeoutError.
    if any(
        isinstance(e, TimeoutError | urllib3.exceptions.TimeoutError | requests.Timeout)
        for e in causes
    ):
        return "timeout"
    tls = next((e for e in causes if isinstance(e, ssl.SSLError)), None)
    # The class name only: messages of network errors may quote the URL.
    return f"network error ({type(tls or error).__name__})"
