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

import os
import threading
from datetime import datetime
from functools import cached_property

import requests
from asn1crypto import cms, core, tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import general
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
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
        """This thread's session; a new one in a forked child (its parent's socket stays its)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None or self._local.pid != os.getpid():
            session = requests.Session()
            # One retry, for a kept connection the authority closed meanwhile.
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=1)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session, self._local.pid = session, os.getpid()
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


class KeptKeyTimeStamper(DummyTimeStamper):
    """pyHanko's test timestamp authority, signing with a key parsed once (RSA, as the demo's).

    The demo's own authority, in the process, and the tests' HTTP authority
    (tests/timestamp_server.py). pyHanko's parses and checks the RSA key again for every stamp:
    some 40 to 70 ms of CPU per certificate issued in the demo.
    """

    @cached_property
    def private_key(self) -> RSAPrivateKey:
        key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        if not isinstance(key, RSAPrivateKey):
            raise NotImplementedError("RSA timestamp keys only")
        return key

    @cached_property
    def signing_certificate(self) -> bytes:
        """The signing-certificate attribute, encoded once (as for the seal: core.sealkey)."""
        encoded: bytes = general.as_signing_certificate(self.tsa_cert).dump()
        return encoded

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        hashing = get_pyca_cryptography_hash(md_algorithm)
        digester = hashes.Hash(hashing)
        digester.update(tst_info_data)
        digest = digester.finalize()
        signed_attrs = cms.CMSAttributes(
            [
                general.simple_cms_attribute("content_type", "tst_info"),
                general.simple_cms_attribute(
                    "signing_time", cms.Time({"utc_time": core.UTCTime(dt)})
                ),
                general.simple_cms_attribute(
                    "signing_certificate", tsp.SigningCertificate.load(self.signing_certificate)
                ),
                general.simple_cms_attribute("message_digest", digest),
            ]
        )
        signature = self.private_key.sign(signed_attrs.dump(), PKCS1v15(), hashing)
        return signature, signed_attrs
