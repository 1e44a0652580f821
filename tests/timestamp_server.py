"""A real RFC 3161 timestamp authority over HTTP, on 127.0.0.1, for the tests and bench/.

It answers ``application/timestamp-query`` POSTs with ``application/timestamp-reply``, signing
with a timestamp key from a PKCS#12 file, such as the demo authority's (pyHanko's test
timestamper builds the token). Loket reaches it through ``LOKET_TSA_URL`` exactly as it would
reach a real authority.

Like a real authority it keeps HTTP/1.1 connections open between requests and keeps its parsed
signing key (pyHanko's test timestamper parses and checks the RSA key again for every stamp,
some 40 ms of CPU that would fall on the benchmark's cores).

It is test equipment, not part of the shipped package. Of Loket it imports only the kept-key
timestamper (``loket.core.timestamping``, which needs no Django): the fixtures
(tests/conftest.py) and the certificates benchmark (bench/certificates.py) import this module
alone, never the conftest.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import tsp
from pyhanko.sign import signers

from loket.core.timestamping import KeptKeyTimeStamper


class TimestampServer:
    def __init__(self, pkcs12: Path, passphrase: bytes) -> None:
        tsa = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase)
        if tsa is None:
            raise ValueError(f"no timestamp key in {pkcs12}")
        self.stamper = KeptKeyTimeStamper(
            tsa_cert=tsa.signing_cert, tsa_key=tsa.signing_key, certs_to_embed=tsa.cert_registry
        )
        self.requests = 0
        self.connections = 0  # opened by clients: a client keeping its connection opens one
        self.down = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the connection stays open for the next request
            disable_nagle_algorithm = True  # the reply's head and body leave at once

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if server.down or self.headers.get("Content-Type") != (
                    "application/timestamp-query"
                ):
                    self.send_error(503 if server.down else 415)
                    return
                server.requests += 1
                reply = server.stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tsr"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> TimestampServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
