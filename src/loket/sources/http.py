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

The exchange itself goes through Loket's one HTTP client (``loket.core.http``): a deadline for
the whole request (headers and body included), a capped body, no redirect.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Collection, Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from loket.core.http import HttpClient, HttpFailure
from loket.sources.base import SourceUnavailable, Subject, SubjectKind

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
MAX_BODY_BYTES = 1024 * 1024
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
        # Proxies from the environment (https_proxy, no_proxy) are honoured, as operators expect;
        # no redirect is followed: it would carry the token and the identifier to another URL.
        self.client = HttpClient(timeout=self.timeout, max_bytes=MAX_BODY_BYTES)

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
            document = self._get(subject, names, request_id)
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

    def _get(self, subject: Subject, names: list[str], request_id: str) -> object | None:
        """The parsed JSON document of a 200 answer, ``None`` for 404; anything else raises."""
        # quote(safe="") so that an identifier can never add path segments or a query.
        path = f"/v1/{SUBJECT_PATHS[self.subject_kind]}/{quote(subject.identifier, safe='')}"
        query = "attributes=" + quote(",".join(names), safe=",")
        headers = {"Accept": "application/json", "X-Request-Id": request_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            # Only a 200's body is read: an error body is the register's business, never ours
            # to log or show.
            response = self.client.get(
                f"{self.url}{path}?{query}", headers=headers, read_body=lambda status: status == 200
            )
        except HttpFailure as failure:
            raise SourceUnavailable(str(failure)) from None
        if response.status == 404:
            return None
        if response.status != 200:
            raise SourceUnavailable(f"HTTP {response.status}")
        try:
            return json.loads(response.body)
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
