"""The providers' SDKs speak through Loket's own HTTP client (``core.http.HttpClient``).

Both SDKs use ``requests`` with a socket timeout, which bounds each read, not the exchange: a
provider that trickles its answer would hold a worker. So each SDK is handed a transport of ours,
with a deadline for the whole exchange, a size limit and no redirect: a ``requests.Session`` for
Mollie's client, a ``Connection`` for Worldline's communicator. A failure is an ``HttpFailure``
(never quoting the URL or the keys), which the adapters turn into ``ProviderError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import ParseResult, urlencode

import requests
from onlinepayments.sdk.communication.connection import Connection
from onlinepayments.sdk.communication.request_header import RequestHeader
from onlinepayments.sdk.log.body_obfuscator import BodyObfuscator
from onlinepayments.sdk.log.communicator_logger import CommunicatorLogger
from onlinepayments.sdk.log.header_obfuscator import HeaderObfuscator
from requests.structures import CaseInsensitiveDict

from loket.core.http import HttpClient, Response

MAX_ANSWER_BYTES = 256 * 1024  # a payment or a hosted checkout is a few kilobytes


def _body(data: Any) -> bytes | None:
    if data is None or data == "":
        return None
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


class DeadlineSession(requests.Session):
    """What Mollie's client calls ``request`` on (it sets its ``_client``), sent by HttpClient."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.http = HttpClient(timeout=timeout, max_bytes=MAX_ANSWER_BYTES)

    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        data: Any = None,
        **_ignored: Any,  # timeout: ours is the whole exchange's
    ) -> requests.Response:
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        answer = self.http.request(method, url, headers=headers, data=_body(data))
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.body
        response.url = answer.url
        response.encoding = "utf-8"
        return response


class DeadlineConnection(Connection):
    """Worldline's communicator sends through this: each exchange under one deadline."""

    def __init__(self, timeout: float) -> None:
        self.http = HttpClient(timeout=timeout, max_bytes=MAX_ANSWER_BYTES)

    def _send(
        self, method: str, url: str | ParseResult, headers: Sequence[RequestHeader], body: Any
    ) -> tuple[int, Mapping[str, str], Iterable[bytes]]:
        target = url if isinstance(url, str) else url.geturl()
        sent = {header.name: header.value for header in headers or ()}
        answer: Response = self.http.request(method, target, headers=sent, data=_body(body))
        return answer.status, answer.headers, [answer.body]

    def get(self, url: Any, request_headers: Any) -> Any:
        return self._send("GET", url, request_headers, None)

    def delete(self, url: Any, request_headers: Any) -> Any:
        return self._send("DELETE", url, request_headers, None)

    def post(self, url: Any, request_headers: Any, body: Any) -> Any:
        return self._send("POST", url, request_headers, body)

    def put(self, url: Any, request_headers: Any, body: Any) -> Any:
        return self._send("PUT", url, request_headers, body)

    # The SDK's logging would write bodies and headers: Loket logs none of it.
    def enable_logging(self, communicator_logger: CommunicatorLogger) -> None:
        pass

    def disable_logging(self) -> None:
        pass

    def set_body_obfuscator(self, body_obfuscator: BodyObfuscator) -> None:
        pass

    def set_header_obfuscator(self, header_obfuscator: HeaderObfuscator) -> None:
        pass

    def close_idle_connections(self, idle_time: timedelta) -> None:
        pass

    def close_expired_connections(self) -> None:
        pass
