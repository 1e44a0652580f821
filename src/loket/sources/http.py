"""HTTP adapters to the real registers, for the JSON contract documented in ``docs/sources.md``.

One adapter per authentic source (population, vehicle, enterprise, social security). Each sends
``GET {url}/v1/{persons|enterprises}/{identifier}?attributes=a,b`` and returns the requested
attributes in exactly the shape of the demo adapters (``loket.sources.demo``), so that nothing
above ``loket.sources`` can tell a real register from the synthetic one.

A register that does not answer properly never stops an applicant: every failure (HTTP error,
timeout, refused or reset connection, oversized or malformed answer) becomes ``SourceUnavailable``,
which ``door.consult()`` turns into an ``unavailable`` answer so that the applicant types or
uploads the data instead. Adapters never retry: the door (and the person in front of the screen)
decides what happens next, and a retry would double the wait and the load on a struggling
register.

Only the standard library is used (``urllib.request`` over ``http.client``).
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import math
import re
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from loket import __version__
from loket.sources.base import SourceUnavailable, Subject, SubjectKind

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
MAX_BODY_BYTES = 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
USER_AGENT = f"Loket/{__version__}"
ENDPOINT_KEYS = frozenset({"url", "token", "timeout"})
SUBJECT_PATHS: dict[SubjectKind, str] = {"person": "persons", "enterprise": "enterprises"}
# Compact forms only (see loket.core.identifiers). The check is on format, not on the check
# digits: BIS numbers of people without a national register entry are 11 digits too.
IDENTIFIER_PATTERNS: dict[SubjectKind, re.Pattern[str]] = {
    "person": re.compile(r"[0-9]{11}"),
    "enterprise": re.compile(r"[0-9]{10}"),
}


class HttpSource:
    """Base adapter: one register behind the documented JSON contract.

    Subclasses set ``id``, ``subject_kind`` and ``attribute_types`` (the JSON type of each
    attribute's value at its top level); ``attributes`` follows from ``attribute_types``.
    Configuration is read once, at construction, from ``settings.LOKET_SOURCE_ENDPOINTS[id]``.
    """

    id: str
    subject_kind: SubjectKind
    attribute_types: dict[str, type]
    attributes: frozenset[str]
    demo: ClassVar[bool] = False  # a real register: production accepts it

    def __init__(self) -> None:
        endpoints = getattr(settings, "LOKET_SOURCE_ENDPOINTS", {})
        config = endpoints.get(self.id) if isinstance(endpoints, Mapping) else None
        where = f"LOKET_SOURCE_ENDPOINTS[{self.id!r}]"
        if not isinstance(config, Mapping):
            raise ImproperlyConfigured(f"{where} is missing: the {self.id} register needs a url.")
        unknown = set(config) - ENDPOINT_KEYS
        if unknown:
            # A misspelt "token" would otherwise silently send unauthenticated requests.
            raise ImproperlyConfigured(f"{where} has unknown keys: {', '.join(sorted(unknown))}.")
        self.url = _checked_url(config.get("url"), where)
        self.token = _checked_token(config.get("token"), where)
        self.timeout = _checked_timeout(config.get("timeout", DEFAULT_TIMEOUT), where)

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        """Return the requested attributes of ``subject``; ``{}`` if the register does not know it.

        Raises ``SourceUnavailable`` for any answer other than 200 with a well-formed document,
        or 404. Raises ``ValueError`` for a caller's mistake (wrong subject kind, an attribute
        this source does not serve), which no register answer could fix.
        """
        if subject.kind != self.subject_kind:
            raise ValueError(f"{self.id} answers about a {self.subject_kind}, not a {subject.kind}")
        names = list(dict.fromkeys(attributes))
        unknown = [name for name in names if name not in self.attributes]
        if unknown:
            raise ValueError(f"{self.id} does not serve {', '.join(unknown)}")
        if not names:
            return {}
        if not IDENTIFIER_PATTERNS[self.subject_kind].fullmatch(subject.identifier):
            # No register can know a malformed identifier; and an empty one would turn the path
            # into "/v1/persons/", which on some gateways lists everybody.
            return {}

        request_id = str(uuid.uuid4())
        started = time.monotonic()
        try:
            document = self._get(subject, names, request_id, deadline=started + self.timeout)
            if document is None:
                return {}
            answer = self._checked_answer(document, subject, names)
        except SourceUnavailable as unavailable:
            # The request id lets an operator find the same call in the register's own logs;
            # the subject's identifier stays out of the log line.
            logger.warning(
                "source %s unavailable: %s (request %s, %.2fs)",
                self.id,
                unavailable,
                request_id,
                time.monotonic() - started,
            )
            raise
        logger.debug(
            "source %s answered (request %s, %.2fs)",
            self.id,
            request_id,
            time.monotonic() - started,
        )
        return answer

    def _get(
        self, subject: Subject, names: list[str], request_id: str, deadline: float
    ) -> object | None:
        """The parsed JSON document of a 200 answer, ``None`` for 404; anything else raises."""
        # quote(safe="") so that an identifier can never add path segments or a query.
        path = f"/v1/{SUBJECT_PATHS[self.subject_kind]}/{quote(subject.identifier, safe='')}"
        query = "attributes=" + quote(",".join(names), safe=",")
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-Request-Id": request_id,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # The URL's scheme and host come from deployment configuration, checked at construction
        # to be http(s); the path is built from quoted parts.
        request = urllib.request.Request(f"{self.url}{path}?{query}", headers=headers)  # noqa: S310
        try:
            with _opener(deadline).open(request, timeout=self.timeout) as response:
                if response.status != 200:
                    raise SourceUnavailable(f"HTTP {response.status}")
                body = _read_capped(response, deadline)
        except urllib.error.HTTPError as error:
            # Close without reading: an error body is the register's business, never ours to
            # log or show.
            error.close()
            if error.code == 404:
                return None
            raise SourceUnavailable(f"HTTP {error.code}") from None
        except urllib.error.URLError as error:
            raise SourceUnavailable(_network_reason(error.reason)) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # ValueError: http.client raises it on a malformed chunk size.
            raise SourceUnavailable(_network_reason(error)) from None
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            # ValueError covers invalid JSON and invalid UTF-8; RecursionError, absurdly deep
            # nesting. "from None": the decode error would carry the body along.
            raise SourceUnavailable("invalid JSON") from None

    def _checked_answer(
        self, document: object, subject: Subject, names: list[str]
    ) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise SourceUnavailable("answer is not a JSON object")
        if document.get("subject") != subject.identifier:
            # Data about someone else (a gateway mixing up answers) must never reach a form.
            raise SourceUnavailable("answer is not about the requested subject")
        values = document.get("attributes")
        if not isinstance(values, dict):
            raise SourceUnavailable("answer has no attributes object")
        missing = [name for name in names if name not in values]
        if missing:
            raise SourceUnavailable(f"answer lacks {', '.join(missing)}")
        for name in names:
            if not isinstance(values[name], self.attribute_types[name]):
                raise SourceUnavailable(f"{name} has the wrong type")
        # Attributes the register sent without being asked are dropped here: Loket keeps only
        # what the procedure declared and the access log records.
        return {name: values[name] for name in names}


class HttpPopulationRegister(HttpSource):
    id = "population"
    subject_kind: SubjectKind = "person"
    attribute_types = {
        "identity": dict,
        "address": dict,
        "address_history": list,
        "household": list,
        "nationality": str,
        "civil_status": str,
    }
    attributes = frozenset(attribute_types)


class HttpVehicleRegister(HttpSource):
    id = "vehicle"
    subject_kind: SubjectKind = "person"
    attribute_types = {"registrations": list}
    attributes = frozenset(attribute_types)


class HttpEnterpriseRegister(HttpSource):
    id = "enterprise"
    subject_kind: SubjectKind = "enterprise"
    attribute_types = {"identity": dict, "establishments": list, "mandataries": list}
    attributes = frozenset(attribute_types)


class HttpSocialSecurityRegister(HttpSource):
    id = "social"
    subject_kind: SubjectKind = "person"
    attribute_types = {"increased_allowance": bool}
    attributes = frozenset(attribute_types)


# -- configuration -----------------------------------------------------------------------------


def _checked_url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured(f"{where}['url'] must be the register's base URL.")
    parts = urlsplit(value)
    # Only http(s): urllib would otherwise happily open file:// or ftp:// URLs.
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"{where}['url'] must be an http(s) URL with a host.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ImproperlyConfigured(
            f"{where}['url'] must not carry a query, fragment or credentials (use 'token')."
        )
    return value.rstrip("/")


def _checked_token(value: object, where: str) -> str:
    if value is None or value == "":
        return ""
    # Printable ASCII without spaces: anything else would break (or smuggle) the header.
    if not isinstance(value, str) or not re.fullmatch(r"[\x21-\x7e]+", value):
        raise ImproperlyConfigured(f"{where}['token'] must be printable ASCII without spaces.")
    return value


def _checked_timeout(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImproperlyConfigured(f"{where}['timeout'] must be a number of seconds.")
    timeout = float(value)
    if not math.isfinite(timeout) or timeout <= 0:
        raise ImproperlyConfigured(f"{where}['timeout'] must be a positive number of seconds.")
    return timeout


# -- transport -----------------------------------------------------------------------------------


def _opener(deadline: float) -> urllib.request.OpenerDirector:
    """An opener that enforces ``deadline`` and follows no redirect.

    Built by hand rather than with ``build_opener`` so that no redirect handler is present: a
    redirect would carry the bearer token and the subject's identifier to another URL. Proxies
    from the environment (``https_proxy``, ``no_proxy``) are honoured, as operators expect.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        _DeadlineHTTPHandler(deadline),
        _DeadlineHTTPSHandler(deadline),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _read_capped(response: http.client.HTTPResponse, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > MAX_BODY_BYTES:
        raise SourceUnavailable("answer too large")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() >= deadline:
            raise SourceUnavailable("timeout")
        # read1 returns whatever has arrived, so the deadline is checked between arrivals.
        chunk = response.read1(READ_CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise SourceUnavailable("answer too large")
        chunks.append(chunk)


def _network_reason(error: object) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError | http.client.RemoteDisconnected):
        return "connection reset"
    if isinstance(error, socket.gaierror):
        return "host not found"
    if isinstance(error, BaseException):
        # The class name only: messages of network errors may quote the URL, hence the identifier.
        return f"network error ({type(error).__name__})"
    return "network error"


class _DeadlineReader(io.RawIOBase):
    """Reads a socket, giving each read only the time left until the request's deadline.

    A socket timeout alone bounds each read, not the request: a server that sends one byte every
    0.2 s (in the headers or the body) would never trip it. Resetting the timeout to what is left
    before each read bounds the whole exchange, headers included.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        # makefile keeps the socket open until this reader closes, as http.client expects: urllib
        # closes the connection's socket before the body has been read.
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        self._sock.settimeout(_time_left(self._deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _deadline_response_class(deadline: float) -> type[http.client.HTTPResponse]:
    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(sock, *args, **kwargs)
            self.fp.close()
            self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))

    return DeadlineResponse


def _deadline_connector(deadline: float) -> Callable[..., socket.socket]:
    def connect(
        address: tuple[str, int], timeout: float | None = None, *args: Any, **kwargs: Any
    ) -> socket.socket:
        sock = socket.create_connection(address, _time_left(deadline), *args, **kwargs)
        # The TLS handshake that follows runs on this socket's timeout: give it only what is left
        # of the budget, not a fresh one.
        sock.settimeout(_time_left(deadline))
        return sock

    return connect


def _time_left(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    return remaining


class _DeadlineHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, *, deadline: float | None = None, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        if deadline is not None:
            self._create_connection = _deadline_connector(deadline)
            self.response_class = _deadline_response_class(deadline)


class _DeadlineHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, *, deadline: float | None = None, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        if deadline is not None:
            self._create_connection = _deadline_connector(deadline)
            self.response_class = _deadline_response_class(deadline)


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_DeadlineHTTPConnection, req, deadline=self._deadline)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        # The default context verifies certificates and host names against the system store
        # (or SSL_CERT_FILE), which is what a register's TLS endpoint must pass.
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_DeadlineHTTPSConnection, req, deadline=self._deadline)
