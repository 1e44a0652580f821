"""The HTTP adapters against a real local server that replays recorded register exchanges.

The server (``http.server`` on 127.0.0.1, a free port) mounts each source under ``/<source>`` and
answers the recorded exchanges of ``tests/data/source-exchanges`` by path; individual tests add
misbehaving routes: slow, trickling, resetting, oversized, redirecting.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from stdnum.be import nn, vat

from loket import __version__
from loket.audit.models import AccessLogEntry
from loket.core.models import User
from loket.sources import demo
from loket.sources.base import Actor, AuthenticSource, Purpose, SourceUnavailable, Subject
from loket.sources.door import consult
from loket.sources.http import (
    MAX_BODY_BYTES,
    HttpEnterpriseRegister,
    HttpPopulationRegister,
    HttpSocialSecurityRegister,
    HttpSource,
    HttpVehicleRegister,
)
from loket.sources.registry import get_source
from tests.conftest import demo_user

EXCHANGES = Path(__file__).parent / "data" / "source-exchanges"
# The timeout of the tests about a server that is too slow: the adapter must give up then.
TIMEOUT = 0.5
# The timeout of the tests about a server that answers at once, wrongly: generous, so that a
# loaded machine (CI with neighbours) does not turn the reason looked for into "timeout".
PROMPT_TIMEOUT = 5.0
# The brief's bound for any failure: the configured timeout plus one second of slack.
SLACK = 1.0
TOKEN = "s3cret-register-token"
HTTP_SOURCES: dict[str, type[HttpSource]] = {
    "population": HttpPopulationRegister,
    "vehicle": HttpVehicleRegister,
    "enterprise": HttpEnterpriseRegister,
    "social": HttpSocialSecurityRegister,
}
DEMO_SOURCES: dict[str, type[AuthenticSource]] = {
    "population": demo.PopulationRegister,
    "vehicle": demo.VehicleRegister,
    "enterprise": demo.EnterpriseRegister,
    "social": demo.SocialSecurityRegister,
}
SOURCES = sorted(HTTP_SOURCES)
# Subjects no recording uses, for the routes that tests add.
PERSON = "90020312342"
OTHER_PERSON = "85073003328"


def exchange(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXCHANGES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def identifier_of(recorded: dict[str, Any]) -> str:
    return str(recorded["request"]["path"]).rsplit("/", 1)[-1]


def subject_of(source_id: str, recorded: dict[str, Any]) -> Subject:
    return Subject(HTTP_SOURCES[source_id].subject_kind, identifier_of(recorded))


def requested_of(recorded: dict[str, Any]) -> list[str]:
    return str(recorded["request"]["query"]["attributes"]).split(",")


# -- the local register --------------------------------------------------------------------------

Route = Callable[["StubHandler"], None]


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: Message


class StubServer(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping handler must not hold up the end of a test

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), StubHandler)
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hang up on slow and oversized answers on purpose: nothing to report."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, source_id: str) -> str:
        return f"{self.base}/{source_id}"

    def serve(self, source_id: str, path: str, route: Route) -> None:
        self.routes[f"/{source_id}{path}"] = route

    def requests_to(self, source_id: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.seen if seen.path.startswith(f"/{source_id}/")]


class StubHandler(BaseHTTPRequestHandler):
    server: StubServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        with self.server.lock:
            self.server.seen.append(Seen(parts.path, parse_qs(parts.query), self.headers))
        route = self.server.routes.get(parts.path, answer(404, {}, b'{"detail": "no route"}'))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def answer(status: int, headers: dict[str, str], body: bytes) -> Route:
    def route(handler: StubHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def json_answer(document: Any, status: int = 200) -> Route:
    return answer(status, {"Content-Type": "application/json"}, json.dumps(document).encode())


def recorded_answer(recorded: dict[str, Any]) -> Route:
    response = recorded["response"]
    body = response["body"]
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return answer(response["status"], response["headers"], raw)


def sleeping(seconds: float, then: Route) -> Route:
    def route(handler: StubHandler) -> None:
        time.sleep(seconds)
        then(handler)

    return route


def trickling_body(body: bytes, interval: float = 0.2) -> Route:
    def route(handler: StubHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            time.sleep(interval)

    return route


def trickling_headers(interval: float = 0.2) -> Route:
    head = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"." * 200

    def route(handler: StubHandler) -> None:
        for byte in head:
            handler.wfile.write(bytes([byte]))
            time.sleep(interval)

    return route


def resetting(handler: StubHandler) -> None:
    # SO_LINGER with a zero timeout turns close() into a TCP reset.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def streaming_without_length(size: int) -> Route:
    def route(handler: StubHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        chunk = b" " * 65536
        for _ in range(size // len(chunk) + 1):
            handler.wfile.write(chunk)

    return route


def redirecting(location: str) -> Route:
    return answer(302, {"Location": location}, b"")


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    for path in sorted(EXCHANGES.glob("*.json")):
        source_id = path.stem.split("-", 1)[0]
        recorded = exchange(path.stem)
        server.serve(source_id, recorded["request"]["path"], recorded_answer(recorded))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapters honour proxy variables; a CI proxy must not stand between them and 127.0.0.1."""
    for scheme in ("http", "https", "all"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)


def adapter(source_id: str, stub: StubServer, **config: Any) -> HttpSource:
    endpoint = {"url": stub.url(source_id), "timeout": PROMPT_TIMEOUT, "token": TOKEN, **config}
    with override_settings(LOKET_SOURCE_ENDPOINTS={source_id: endpoint}):
        return HTTP_SOURCES[source_id]()


def unavailable_within(
    source: HttpSource,
    subject: Subject,
    attributes: Collection[str],
    bound: float | None = None,
) -> SourceUnavailable:
    bound = source.timeout + SLACK if bound is None else bound
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as caught:
        source.fetch(subject, attributes)
    elapsed = time.monotonic() - started
    assert elapsed < bound, f"gave up after {elapsed:.2f}s, more than {bound}s"
    return caught.value


def vehicles_fail(stub: StubServer, route: Route, bound: float | None = None, **config: Any) -> str:
    """Serve ``route`` for a person's vehicles; the reason the adapter gives up, within bound."""
    stub.serve("vehicle", f"/v1/persons/{PERSON}", route)
    source = adapter("vehicle", stub, **config)
    return str(unavailable_within(source, Subject("person", PERSON), ["registrations"], bound))


# -- what the adapters serve -----------------------------------------------------------------------


@pytest.mark.parametrize("source_id", SOURCES)
def test_each_http_adapter_serves_the_same_source_and_attributes_as_its_demo_adapter(
    source_id: str, stub: StubServer
) -> None:
    http_source: AuthenticSource = adapter(source_id, stub)
    demo_source = DEMO_SOURCES[source_id]
    assert (http_source.id, http_source.subject_kind, http_source.attributes) == (
        demo_source.id,
        demo_source.subject_kind,
        demo_source.attributes,
    )


@pytest.mark.parametrize("source_id", SOURCES)
def test_each_source_returns_the_recorded_attributes(source_id: str, stub: StubServer) -> None:
    recorded = exchange(f"{source_id}-200")
    source = adapter(source_id, stub)
    answer_ = source.fetch(subject_of(source_id, recorded), requested_of(recorded))
    assert answer_ == recorded["response"]["body"]["attributes"]
    (seen,) = stub.requests_to(source_id)
    assert seen.path == f"/{source_id}{recorded['request']['path']}"
    assert seen.query == {name: [value] for name, value in recorded["request"]["query"].items()}


@pytest.mark.parametrize("source_id", SOURCES)
def test_each_source_returns_only_the_requested_attributes_even_if_the_register_sends_more(
    source_id: str, stub: StubServer
) -> None:
    recorded = exchange(f"{source_id}-200")
    everything = recorded["response"]["body"]["attributes"]
    source = adapter(source_id, stub)
    for name in sorted(everything):
        assert source.fetch(subject_of(source_id, recorded), [name]) == {name: everything[name]}
    asked = [seen.query["attributes"] for seen in stub.requests_to(source_id)]
    assert asked == [[name] for name in sorted(everything)]


def same_shape(recorded: Any, reference: Any) -> bool:
    """Same keys and scalar types all the way down; lists compare every element pairwise."""
    if isinstance(recorded, dict) and isinstance(reference, dict):
        return recorded.keys() == reference.keys() and all(
            same_shape(recorded[key], reference[key]) for key in recorded
        )
    if isinstance(recorded, list) and isinstance(reference, list):
        return all(same_shape(a, b) for a in recorded for b in reference)
    return type(recorded) is type(reference)


@pytest.mark.django_db
@pytest.mark.parametrize("source_id", SOURCES)
def test_the_recorded_answers_have_exactly_the_shape_of_the_demo_adapters(source_id: str) -> None:
    recorded = exchange(f"{source_id}-200")
    if source_id == "enterprise":
        subject = Subject("enterprise", demo_user("business").enterprise_number or "")
    else:
        subject = Subject("person", demo_user("resident").national_number or "")
    names = requested_of(recorded)
    reference = DEMO_SOURCES[source_id]().fetch(subject, names)
    assert reference, "the demo subject must exist in the demo register"
    recorded_attributes = recorded["response"]["body"]["attributes"]
    assert recorded_attributes.keys() == reference.keys()
    for name in names:
        assert same_shape(recorded_attributes[name], reference[name]), name


def test_the_recordings_use_valid_belgian_identifiers() -> None:
    numbers: list[str] = []
    enterprises: list[str] = []
    for path in sorted(EXCHANGES.glob("*.json")):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        kind = recorded["request"]["path"].split("/")[2]
        (enterprises if kind == "enterprises" else numbers).append(identifier_of(recorded))
    population = exchange("population-200")["response"]["body"]["attributes"]
    numbers.append(population["identity"]["national_number"])
    enterprise = exchange("enterprise-200")["response"]["body"]["attributes"]
    numbers.extend(m["national_number"] for m in enterprise["mandataries"])
    enterprises.append(enterprise["identity"]["number"])
    assert len(numbers) == 17 and len(enterprises) == 6
    assert [n for n in numbers if not nn.is_valid(n)] == []
    assert [n for n in enterprises if not vat.is_valid(n)] == []


# -- what the adapters send ------------------------------------------------------------------------


def test_the_request_carries_the_bearer_token_a_fresh_request_id_and_asks_for_json(
    stub: StubServer,
) -> None:
    recorded = exchange("vehicle-200")
    source = adapter("vehicle", stub)
    source.fetch(subject_of("vehicle", recorded), ["registrations"])
    source.fetch(subject_of("vehicle", recorded), ["registrations"])
    first, second = stub.requests_to("vehicle")
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.headers["Accept"] == "application/json"
    assert first.headers["User-Agent"] == f"Loket/{__version__}"
    ids = [uuid.UUID(seen.headers["X-Request-Id"]) for seen in (first, second)]
    assert [request_id.version for request_id in ids] == [4, 4]
    assert ids[0] != ids[1]


def test_no_authorization_header_is_sent_when_no_token_is_configured(stub: StubServer) -> None:
    recorded = exchange("social-200")
    adapter("social", stub, token="").fetch(subject_of("social", recorded), requested_of(recorded))
    (seen,) = stub.requests_to("social")
    assert seen.headers["Authorization"] is None


def test_a_redirect_is_not_followed_so_the_token_never_travels_elsewhere(stub: StubServer) -> None:
    assert vehicles_fail(stub, redirecting(f"{stub.base}/elsewhere/steal")) == "HTTP 302"
    assert [seen.path for seen in stub.seen] == [f"/vehicle/v1/persons/{PERSON}"]


def test_a_malformed_identifier_is_answered_as_unknown_without_calling_the_register(
    stub: StubServer,
) -> None:
    source = adapter("population", stub)
    for identifier in ("", "../enterprises", "8804120025", "8804120025?x", "٨٨٠٤١٢٠٠٢٥٩"):
        assert source.fetch(Subject("person", identifier), ["identity"]) == {}
    assert stub.seen == []


def test_a_caller_mistake_is_a_programming_error_not_an_unavailable_register(
    stub: StubServer,
) -> None:
    source = adapter("population", stub)
    with pytest.raises(ValueError, match="does not serve"):
        source.fetch(Subject("person", PERSON), ["identity", "registrations"])
    with pytest.raises(ValueError, match="answers about a person"):
        source.fetch(Subject("enterprise", "0700000104"), ["identity"])
    assert stub.seen == []


# -- answers that are not data ---------------------------------------------------------------------


@pytest.mark.parametrize("source_id", SOURCES)
def test_an_unknown_subject_404_answers_nothing(source_id: str, stub: StubServer) -> None:
    recorded = exchange(f"{source_id}-404")
    source = adapter(source_id, stub)
    assert source.fetch(subject_of(source_id, recorded), requested_of(recorded)) == {}


@pytest.mark.parametrize("source_id", SOURCES)
def test_a_recorded_503_makes_the_source_unavailable_once_without_retry_or_leaking_the_body(
    source_id: str, stub: StubServer
) -> None:
    recorded = exchange(f"{source_id}-503")
    subject = subject_of(source_id, recorded)
    error = unavailable_within(adapter(source_id, stub), subject, requested_of(recorded))
    assert str(error) == "HTTP 503"
    assert subject.identifier in recorded["response"]["body"]["detail"]
    assert subject.identifier not in str(error)
    assert len(stub.requests_to(source_id)) == 1


@pytest.mark.parametrize("status", [500, 502, 429, 401, 403, 400, 204])
def test_any_other_status_makes_the_source_unavailable(status: int, stub: StubServer) -> None:
    body = {"subject": PERSON, "attributes": {"registrations": []}}
    assert vehicles_fail(stub, json_answer(body, status)) == f"HTTP {status}"


@pytest.mark.parametrize("source_id", SOURCES)
def test_invalid_json_makes_the_source_unavailable(source_id: str, stub: StubServer) -> None:
    recorded = exchange(f"{source_id}-invalid-json")
    subject = subject_of(source_id, recorded)
    error = unavailable_within(adapter(source_id, stub), subject, requested_of(recorded))
    assert str(error) == "invalid JSON"


@pytest.mark.parametrize("source_id", SOURCES)
def test_an_answer_without_attributes_makes_the_source_unavailable(
    source_id: str, stub: StubServer
) -> None:
    recorded = exchange(f"{source_id}-missing-attributes")
    subject = subject_of(source_id, recorded)
    error = unavailable_within(adapter(source_id, stub), subject, requested_of(recorded))
    assert str(error) == "answer has no attributes object"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([PERSON, {"registrations": []}], "answer is not a JSON object"),
        ({"subject": PERSON, "attributes": [["registrations", []]]}, "no attributes object"),
        ({"subject": PERSON, "attributes": {"registrations": {}}}, "registrations has the wrong"),
        ({"subject": PERSON, "attributes": {"registrations": None}}, "registrations has the wrong"),
        ({"subject": PERSON, "attributes": {}}, "answer lacks registrations"),
        ({"attributes": {"registrations": []}}, "not about the requested subject"),
        ({"subject": OTHER_PERSON, "attributes": {"registrations": []}}, "not about the requested"),
        ({"subject": int(PERSON), "attributes": {"registrations": []}}, "not about the requested"),
    ],
)
def test_a_document_of_the_wrong_shape_makes_the_source_unavailable(
    document: Any, reason: str, stub: StubServer
) -> None:
    assert reason in vehicles_fail(stub, json_answer(document))


def test_a_non_boolean_allowance_makes_the_social_source_unavailable(stub: StubServer) -> None:
    document = {"subject": PERSON, "attributes": {"increased_allowance": "yes"}}
    stub.serve("social", f"/v1/persons/{PERSON}", json_answer(document))
    source = adapter("social", stub)
    error = unavailable_within(source, Subject("person", PERSON), ["increased_allowance"])
    assert str(error) == "increased_allowance has the wrong type"


def test_absurdly_deep_nesting_makes_the_source_unavailable_not_crash(stub: StubServer) -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    assert vehicles_fail(stub, answer(200, {}, body)) == "invalid JSON"


def test_an_announced_oversized_body_is_refused_before_it_is_read(stub: StubServer) -> None:
    def announced(handler: StubHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(MAX_BODY_BYTES + 1))
        handler.end_headers()
        time.sleep(3)  # the body would come late: the adapter must not wait for it

    assert vehicles_fail(stub, announced, bound=1.0, timeout=2.0) == "answer too large"


def test_a_streamed_body_over_one_mebibyte_is_cut_off(stub: StubServer) -> None:
    route = streaming_without_length(2 * MAX_BODY_BYTES)
    assert vehicles_fail(stub, route, bound=5.0, timeout=5.0) == "answer too large"


# -- registers that do not answer in time, or at all ----------------------------------------------


def test_a_server_slower_than_the_timeout_is_unavailable_within_the_timeout(
    stub: StubServer,
) -> None:
    recorded = exchange("vehicle-200")
    assert (
        vehicles_fail(stub, sleeping(4 * TIMEOUT, recorded_answer(recorded)), timeout=TIMEOUT)
        == "timeout"
    )


def test_a_server_trickling_the_body_byte_by_byte_is_cut_off_at_the_timeout(
    stub: StubServer,
) -> None:
    body = json.dumps(exchange("vehicle-200")["response"]["body"]).encode()
    assert vehicles_fail(stub, trickling_body(body), timeout=TIMEOUT) == "timeout"


def test_a_server_trickling_its_headers_byte_by_byte_is_cut_off_at_the_timeout(
    stub: StubServer,
) -> None:
    assert vehicles_fail(stub, trickling_headers(), timeout=TIMEOUT) == "timeout"


def test_a_reset_connection_makes_the_source_unavailable(stub: StubServer) -> None:
    assert vehicles_fail(stub, resetting) == "connection reset"


def test_a_refused_connection_makes_the_source_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = {"url": f"http://127.0.0.1:{port}/vehicle", "timeout": PROMPT_TIMEOUT}
    with override_settings(LOKET_SOURCE_ENDPOINTS={"vehicle": endpoint}):
        source = HttpVehicleRegister()
    error = unavailable_within(source, Subject("person", PERSON), ["registrations"])
    assert str(error) == "connection refused"


def test_an_https_register_that_does_not_speak_tls_is_unavailable(stub: StubServer) -> None:
    endpoint = {
        "url": stub.url("vehicle").replace("http://", "https://"),
        "timeout": PROMPT_TIMEOUT,
    }
    with override_settings(LOKET_SOURCE_ENDPOINTS={"vehicle": endpoint}):
        source = HttpVehicleRegister()
    error = unavailable_within(source, Subject("person", PERSON), ["registrations"])
    assert str(error) == "network error (SSLError)"


def test_a_tls_handshake_that_never_completes_is_cut_off_at_the_timeout() -> None:
    with socket.socket() as silent:
        # Listening without ever accepting: the kernel completes TCP, nobody answers the TLS hello.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        endpoint = {"url": f"https://127.0.0.1:{port}/vehicle", "timeout": TIMEOUT}
        with override_settings(LOKET_SOURCE_ENDPOINTS={"vehicle": endpoint}):
            source = HttpVehicleRegister()
        error = unavailable_within(source, Subject("person", PERSON), ["registrations"])
    assert str(error) == "timeout"


# -- configuration ---------------------------------------------------------------------------------


def test_the_endpoint_is_read_from_settings_with_a_three_second_default_timeout() -> None:
    endpoint = {"url": "https://registers.example.brussels/population/"}
    with override_settings(LOKET_SOURCE_ENDPOINTS={"population": endpoint}):
        source = HttpPopulationRegister()
    assert (source.url, source.token, source.timeout) == (
        "https://registers.example.brussels/population",
        "",
        3.0,
    )


@pytest.mark.parametrize(
    "endpoints",
    [
        {},
        {"population": {}},
        {"population": {"url": "file:///etc/passwd"}},
        {"population": {"url": "https://"}},
        {"population": {"url": "https://user:pw@registers.example/"}},
        {"population": {"url": "https://registers.example/?key=1"}},
        {"population": {"url": "https://registers.example", "tokn": "s3cret"}},
        {"population": {"url": "https://registers.example", "token": "two words"}},
        {"population": {"url": "https://registers.example", "token": "x\r\nX-Evil: 1"}},
        {"population": {"url": "https://registers.example", "timeout": 0}},
        {"population": {"url": "https://registers.example", "timeout": "3"}},
        {"population": {"url": "https://registers.example", "timeout": float("inf")}},
    ],
)
def test_an_incomplete_or_unsafe_endpoint_configuration_is_refused_at_construction(
    endpoints: dict[str, Any],
) -> None:
    with (
        override_settings(LOKET_SOURCE_ENDPOINTS=endpoints),
        pytest.raises(ImproperlyConfigured),
    ):
        HttpPopulationRegister()


# -- through the one door --------------------------------------------------------------------------

PARKING = "residents-parking-card"


def consult_vehicles(resident: User, stub: StubServer) -> dict[str, Any]:
    get_source.cache_clear()
    try:
        with override_settings(
            LOKET_SOURCES={"vehicle": "loket.sources.http.HttpVehicleRegister"},
            LOKET_SOURCE_ENDPOINTS={"vehicle": {"url": stub.url("vehicle"), "timeout": TIMEOUT}},
        ):
            return consult(
                Subject("person", resident.national_number or ""),
                ["vehicle.registrations"],
                Purpose(PARKING, "check-vehicle-ownership"),
                Actor(resident.pk, resident.national_number or "", "self"),
            )
    finally:
        get_source.cache_clear()


@pytest.mark.django_db
def test_through_the_door_a_register_answering_503_is_unavailable_and_logged(
    resident: User, stub: StubServer
) -> None:
    path = f"/v1/persons/{resident.national_number}"
    stub.serve("vehicle", path, recorded_answer(exchange("vehicle-503")))
    answers = consult_vehicles(resident, stub)
    assert answers["vehicle"].unavailable
    assert answers["vehicle"].attributes == {}
    entry = AccessLogEntry.objects.get(source="vehicle")
    assert entry.outcome == "unavailable"


@pytest.mark.django_db
def test_through_the_door_a_register_too_slow_is_unavailable_in_time_and_logged(
    resident: User, stub: StubServer
) -> None:
    path = f"/v1/persons/{resident.national_number}"
    stub.serve("vehicle", path, sleeping(4 * TIMEOUT, recorded_answer(exchange("vehicle-200"))))
    started = time.monotonic()
    answers = consult_vehicles(resident, stub)
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert answers["vehicle"].unavailable
    assert AccessLogEntry.objects.get(source="vehicle").outcome == "unavailable"


@pytest.mark.django_db
def test_through_the_door_a_register_answering_200_gives_the_recorded_registrations(
    resident: User, stub: StubServer
) -> None:
    recorded = exchange("vehicle-200")
    assert resident.national_number == identifier_of(recorded), "recorded for the demo resident"
    answers = consult_vehicles(resident, stub)
    assert not answers["vehicle"].unavailable
    assert answers["vehicle"].attributes == recorded["response"]["body"]["attributes"]
    plates = [v["plate"] for v in answers["vehicle"].attributes["registrations"]]
    assert plates == ["1-ABC-123", "2-XYZ-789"]
    assert AccessLogEntry.objects.get(source="vehicle").outcome == "answered"
