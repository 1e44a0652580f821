"""What every API view shares: methods, bearer tokens and scopes, rate limits, problem answers,
JSON in and out, and pagination. Views stay thin: parse, call an action, represent.

The problem answers and the rate limiter are core's (``loket.core.problems``,
``loket.core.ratelimit``), shared with the other machine endpoints; this module adds the
API's own tokens and scopes."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from loket.api.models import ApiClient
from loket.audit.actions import do_record_security_event
from loket.core.access import access
from loket.core.client import client_address
from loket.core.problems import (
    Problem,
    invalid,
    malformed_json,
    not_found,
    problem_endpoint,
    unauthorised,
)
from loket.core.ratelimit import limit, limit_anonymous

log = logging.getLogger("loket.api")
JSON = "application/json"
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_BODY_BYTES = 20 * 1024 * 1024
LAST_USED_RESOLUTION = timedelta(minutes=1)

ApiView = Callable[..., HttpResponseBase]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(request: HttpRequest) -> ApiClient:
    """The API client whose bearer token the request carries, or a 401 problem."""
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorised(_("Send your API token as: Authorization: Bearer <token>."))
    client = (
        ApiClient.objects.select_related("user", "administration")
        .filter(token_sha256=token_digest(token.strip()))
        .first()
    )
    if client is None or client.revoked_at is not None:
        raise unauthorised(_("This API token is not valid or has been revoked."))
    now = timezone.now()
    if client.last_used_at is None or client.last_used_at < now - LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def api_view(methods: tuple[str, ...], scope: str | None = None) -> Callable[[ApiView], ApiView]:
    """Declare an API view: its methods, and the scope its token needs (None: anonymous).

    The request gets ``request.api_client`` (or None). Every refusal is problem+json
    (:func:`loket.core.problems.problem_endpoint`).
    """

    def decorate(view: ApiView) -> ApiView:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            _refuse_nul(request)
            request.api_client = _client(request, scope)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return access("token" if scope else "anonymous")(
            csrf_exempt(problem_endpoint(methods)(checked))
        )

    return decorate


def _client(request: HttpRequest, scope: str | None) -> ApiClient | None:
    """The API client the request authenticates (None for an anonymous view), counted against
    its rate limit; an anonymous request is counted against its address."""
    if scope is None:
        limit_anonymous(request)
        return None
    try:
        client = authenticate(request)
    except Problem:
        # Refused tokens count against the address, so guessing is slowed down too.
        limit_anonymous(request)
        if request.META.get("HTTP_AUTHORIZATION"):
            do_record_security_event("api-token-refused", ip_address=client_address(request))
        raise
    limit(f"api:client:{client.pk}", "LOKET_API_RATE_LIMIT")
    if not client.has_scope(scope):
        raise Problem(
            403, "forbidden", _("This token may not do this."),
            _("The token lacks the scope %(scope)s.") % {"scope": scope},
        )  # fmt: skip
    return client


def _refuse_nul(request: HttpRequest) -> None:
    """A NUL character cannot be stored or searched for (PostgreSQL refuses it): such an
    address does not exist, such a parameter is invalid."""
    if "\x00" in request.path:
        raise not_found()
    for name, values in request.GET.lists():
        if any("\x00" in value for value in values) or "\x00" in name:
            raise invalid(name.replace("\x00", ""), _("This value cannot be used."))


def json_response(data: Any, status: int = 200, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, default=str), status=status, content_type=JSON
    )
    if etag:
        response["ETag"] = etag
    return response


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx problem (never a 500)."""
    content_type = str(request.META.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    if content_type != JSON and not content_type.endswith("+json"):
        raise Problem(415, "unsupported-media-type", _("Send the body as application/json."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise Problem(413, "too-large", _("The request body is too large."))
    raw = request.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise Problem(413, "too-large", _("The request body is too large."))
    try:
        data = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise malformed_json() from None
    if not isinstance(data, dict):
        raise malformed_json(_("The body must be a JSON object."))
    return data


def string_field(data: dict[str, Any], name: str, max_length: int, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or "\x00" in value:
        raise invalid(name, _("Give %(name)s as a text.") % {"name": name})
    if len(value) > max_length:
        raise invalid(
            name,
            _("%(name)s is longer than %(max)s characters.") % {"name": name, "max": max_length},
        )
    return value


def int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw[:12]) <= high:
        raise invalid(
            name, _("%(name)s must be a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high},
        )  # fmt: skip
    return int(raw)


def paginate(
    request: HttpRequest, items: QuerySet[Any], represent: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of ``items``: ``count``, ``next``/``previous`` links and ``results``."""
    size = int_param(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    number = int_param(request, "page", 1, 1, 1_000_000)
    paginator = Paginator(items, size)
    count = paginator.count
    last = max(1, paginator.num_pages)
    start = (number - 1) * size
    rows = list(items[start : start + size]) if number <= last else []

    def link(page: int) -> str | None:
        if page < 1 or page > last:
            return None
        query = request.GET.copy()
        query["page"] = str(page)
        query["page_size"] = str(size)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    return {
        "count": count,
        "page": number,
        "page_size": size,
        "next": link(number + 1),
        "previous": link(min(number - 1, last)),
        "results": [represent(row) for row in rows],
    }
