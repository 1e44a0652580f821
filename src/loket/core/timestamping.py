"""The RFC 3161 client of the seal: one kept HTTP/1.1 connection to the timestamp authority per
thread, instead of a new connection (and a new TLS context) for every timestamp.

pyHanko's ``HTTPTimeStamper`` opens an aiohttp session for every request: a new connection, and a
new TLS context built from the system's certificate store even for ``http://`` (about 25 ms of
CPU per certificate in ``bench/certificates.py``'s profile). ``KeepAliveTimeStamper`` keeps one
``requests`` session per thread (a session is not shared between threads) and reuses its
connection while the authority keeps it open.

Any failure (no answer, a refusal, an HTTP error, a reply that is not a timestamp reply) raises
pyHanko's ``TimestampRequestError``, as pyHanko's own client does.
"""

from __future__ import annotations

import threading

import requests
from asn1crypto import tsp
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers
from requests.adapters import HTTPAdapter

REPLY_TYPE = "application/timestamp-reply"


class KeepAliveTimeStamper(TimeStamper):
    """An HTTP timestamp client keeping its connection, one session per thread."""

    def __init__(self, url: str, *, timeout: float = 10) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self._local = threading.local()

    def session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # One retry, for a kept connection the authority closed meanwhile.
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=1)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def request(self, body: bytes) -> bytes:
        """POST one timestamp query; the reply's bytes."""
        try:
            reply = self.session().post(
                self.url, data=body, headers=set_tsp_headers({}), timeout=self.timeout
            )
            reply.raise_for_status()
        except requests.RequestException as problem:
            raise TimestampRequestError(
                f"Error while contacting timestamp service: {problem}"
            ) from problem
        if reply.headers.get("Content-Type") != REPLY_TYPE:
            raise TimestampRequestError("Timestamp server response is malformed.")
        return reply.content

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        # Blocking on purpose: pyHanko runs each signature in its own event loop, in the
        # signing thread, with nothing else to run meanwhile; the thread's session is kept.
        return tsp.TimeStampResp.load(self.request(req.dump()))
