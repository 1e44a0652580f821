"""Local servers that answer as Mollie's and Worldline Direct's documented APIs do.

Each is a real ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) keeping its own payments, as
the provider does: the tests change a payment's status here, as a person paying on the provider's
page would, and Loket learns it only by asking. Every request is kept (``seen``) so tests can
read what Loket sent. ``delay`` holds every answer back; ``trickle`` sends the body one byte at a
time, which a socket timeout alone would never cut.

Shapes follow docs.mollie.com (API v2, payments and refunds) and docs.direct.worldline-solutions
.com (v2 hostedcheckouts, payments/{id}/refund, webhooks signed with X-GCS-Signature).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Answer = tuple[int, dict[str, Any]]
PREPROD_HOST = "preprod.direct.worldline-solutions.com"  # redirectUrl: "https://payment." + it


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Behaviour:
    delay: float = 0.0
    slow_path: str = ""  # delay only requests whose path holds this (empty: every request)
    trickle: bool = False
    down: int = 0  # answer 503 to this many requests first


class ProviderStub(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping handler must not hold up the end of a test
    content_type = "application/json"

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.behaviour = Behaviour()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Loket hangs up on slow answers on purpose: nothing to report."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def requests_to(self, method: str, fragment: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method and fragment in s.path]

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    server: ProviderStub

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else {}
        headers = {name: value for name, value in self.headers.items()}
        stub = self.server
        with stub.lock:
            stub.seen.append(Seen(method, self.path, headers, body))
            down = stub.behaviour.down > 0
            if down:
                stub.behaviour.down -= 1
        status, data = (503, {"status": 503, "title": "Unavailable"}) if down else (0, {})
        if not down:
            with stub.lock:
                status, data = stub.answer(method, self.path, headers, body)
        if stub.behaviour.slow_path in self.path:
            time.sleep(stub.behaviour.delay)
        payload = json.dumps(data).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", stub.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if stub.behaviour.trickle:
                for byte in payload:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            else:
                self.wfile.write(payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        pass


# -- Mollie --------------------------------------------------------------------------------------


def _mollie_error(status: int, title: str, detail: str) -> Answer:
    return status, {
        "status": status,
        "title": title,
        "detail": detail,
        "_links": {"documentation": {"href": "https://docs.mollie.com/errors"}},
    }


class MollieStub(ProviderStub):
    """``/v2/payments`` (create, get, delete: cancel) and ``/v2/payments/{id}/refunds``, with
    idempotency keys."""

    api_key = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
    content_type = "application/hal+json"

    def __init__(self) -> None:
        super().__init__()
        self.payments: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, Answer] = {}

    def set_status(self, provider_id: str, status: str) -> None:
        with self.lock:
            self.payments[provider_id]["status"] = status

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return _mollie_error(
                401, "Unauthorized Request", "Missing authentication, or failed to authenticate"
            )
        key = headers.get("Idempotency-Key", "")
        if method == "POST" and key in self.idempotent:
            return self.idempotent[key]
        parts = path.split("?")[0].strip("/").split("/")  # v2, payments, id, refunds
        if method == "POST" and parts == ["v2", "payments"]:
            answer = self._create(body)
        elif method == "GET" and len(parts) == 3 and parts[1] == "payments":
            found = self.payments.get(parts[2])
            answer = (
                (200, found)
                if found
                else _mollie_error(404, "Not Found", f"No payment exists with token {parts[2]}.")
            )
        elif method == "POST" and len(parts) == 4 and parts[3] == "refunds":
            answer = self._refund(parts[2], body)
        elif method == "DELETE" and len(parts) == 3 and parts[1] == "payments":
            answer = self._cancel(parts[2])
        else:
            answer = _mollie_error(404, "Not Found", "The resource does not exist.")
        if method == "POST" and key:
            self.idempotent[key] = answer
        return answer

    def _create(self, body: dict[str, Any]) -> Answer:
        provider_id = f"tr_{secrets.token_hex(5)}"
        payment = {
            "resource": "payment",
            "id": provider_id,
            "mode": "test",
            "createdAt": datetime.now(UTC).isoformat(),
            "status": "open",
            "amount": body["amount"],
            "description": body["description"],
            "redirectUrl": body["redirectUrl"],
            "webhookUrl": body["webhookUrl"],
            "metadata": body.get("metadata"),
            "locale": body.get("locale"),
            "_links": {
                "self": {"href": f"{self.base}/v2/payments/{provider_id}"},
                "checkout": {
                    "href": f"https://www.mollie.com/checkout/select-method/{provider_id[3:]}",
                    "type": "text/html",
                },
            },
        }
        self.payments[provider_id] = payment
        return 201, payment

    def _cancel(self, provider_id: str) -> Answer:
        """Cancel a payment while it is open (``isCancelable``); else 422, as Mollie does."""
        payment = self.payments.get(provider_id)
        if payment is None:
            return _mollie_error(404, "Not Found", f"No payment exists with token {provider_id}.")
        if payment["status"] != "open":
            return _mollie_error(422, "Unprocessable Entity", "The payment cannot be canceled.")
        payment["status"] = "canceled"
        return 200, payment

    def _refund(self, provider_id: str, body: dict[str, Any]) -> Answer:
        payment = self.payments.get(provider_id)
        if payment is None:
            return _mollie_error(404, "Not Found", f"No payment exists with token {provider_id}.")
        refunded = sum(float(r["amount"]["value"]) for r in payment.get("refunds", []))
        if (
            payment["status"] != "paid"
            or float(body["amount"]["value"]) > float(payment["amount"]["value"]) - refunded
        ):
            return _mollie_error(
                422,
                "Unprocessable Entity",
                "The amount is higher than the amount that can be refunded",
            )
        refund = {
            "resource": "refund",
            "id": f"re_{secrets.token_hex(5)}",
            "amount": body["amount"],
            "status": "pending",
            "description": body.get("description", ""),
            "paymentId": provider_id,
            "createdAt": datetime.now(UTC).isoformat(),
        }
        payment.setdefault("refunds", []).append(refund)
        return 201, refund


# -- Worldline Direct ----------------------------------------------------------------------------


def _worldline_error(status: int, code: str, error_id: str, message: str) -> Answer:
    return status, {
        "errorId": secrets.token_hex(16),
        "status": status,
        "errors": [
            {
                "errorCode": code,
                "id": error_id,
                "message": message,
                "httpStatusCode": status,
                "category": "DIRECT_PLATFORM_ERROR",
            }
        ],
    }


class WorldlineStub(ProviderStub):
    """``/v2/{merchantId}/hostedcheckouts`` (create, get) and ``/v2/{merchantId}/payments/{id}/
    refund``; ``event`` makes a webhook body signed as Worldline signs it."""

    merchant_id = "LoketTest"
    api_key_id = "47e9dc332ca24273818b"
    api_secret = "api-s3cret-for-tests"
    webhook_key_id = "webhook-key-1"
    webhook_secret = "webhook-s3cret-for-tests"

    def __init__(self) -> None:
        super().__init__()
        self.partial_only = False
        self.checkouts: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, Answer] = {}

    def signature(self, method: str, path: str, headers: dict[str, str]) -> str:
        """v1HMAC as the API reference defines it: method, content type, date, the X-GCS-*
        headers (lower-cased, sorted) and the path, one a line, HMAC-SHA256 with the secret."""
        low = {name.lower(): value.strip() for name, value in headers.items()}
        gcs = "".join(f"{name}:{low[name]}\n" for name in sorted(low) if name.startswith("x-gcs"))
        signed = f"{method}\n{low.get('content-type', '')}\n{low.get('date', '')}\n{gcs}{path}\n"
        digest = hmac.new(self.api_secret.encode(), signed.encode(), hashlib.sha256).digest()
        return f"GCS v1HMAC:{self.api_key_id}:{base64.b64encode(digest).decode()}"

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        if headers.get("Authorization") != self.signature(method, path, headers):
            return _worldline_error(401, "9007", "ACCESS_TO_MERCHANT_NOT_ALLOWED", "unauthorized")
        key = headers.get("X-GCS-Idempotence-Key", "")
        if method == "POST" and key in self.idempotent:
            return self.idempotent[key]
        parts = path.split("?")[0].strip("/").split("/")  # v2, merchant, hostedcheckouts, id
        if parts[:2] != ["v2", self.merchant_id]:
            return _worldline_error(403, "9007", "ACCESS_TO_MERCHANT_NOT_ALLOWED", "merchant")
        if method == "POST" and parts[2:] == ["hostedcheckouts"]:
            answer = self._create(body)
        elif method == "GET" and parts[2] == "hostedcheckouts" and len(parts) == 4:
            answer = self._get(parts[3])
        elif method == "POST" and parts[2] == "payments" and parts[4:] == ["refund"]:
            answer = self._refund(parts[3], body)
        else:
            answer = _worldline_error(404, "1002", "UNKNOWN_RESOURCE", "unknown")
        if method == "POST" and key:
            self.idempotent[key] = answer
        return answer

    def _create(self, body: dict[str, Any]) -> Answer:
        checkout_id = str(secrets.randbelow(10**10))
        self.checkouts[checkout_id] = {"request": body, "status": "IN_PROGRESS", "refunds": []}
        partial = f"{PREPROD_HOST}/hostedcheckout/PaymentMethods/Selection/{checkout_id}"
        answer = {
            "RETURNMAC": secrets.token_hex(16),
            "hostedCheckoutId": checkout_id,
            "merchantReference": body["order"]["references"]["merchantReference"],
            "partialRedirectUrl": partial,
        }
        if not self.partial_only:
            answer["redirectUrl"] = f"https://payment.{partial}"
        return 201, answer

    def pay(self, checkout_id: str, status: str = "CAPTURED", **changes: Any) -> None:
        """The applicant went through the hosted page: a payment now exists with ``status``."""
        with self.lock:
            self.checkouts[checkout_id].update(
                status="PAYMENT_CREATED", payment_status=status, **changes
            )

    def set_checkout_status(self, checkout_id: str, status: str) -> None:
        with self.lock:
            self.checkouts[checkout_id]["status"] = status

    def payment(self, checkout_id: str) -> dict[str, Any]:
        checkout = self.checkouts[checkout_id]
        order = checkout["request"]["order"]
        status = checkout["payment_status"]
        category = {
            "CAPTURED": "COMPLETED",
            "REJECTED": "UNSUCCESSFUL",
            "CANCELLED": "UNSUCCESSFUL",
            "PENDING_CAPTURE": "PENDING_MERCHANT",
        }.get(status, "PENDING_PAYMENT")
        return {
            "id": f"{checkout_id}_0",
            "hostedCheckoutSpecificOutput": {"hostedCheckoutId": checkout_id, "variant": "100"},
            "paymentOutput": {
                "amountOfMoney": checkout.get("amount", order["amountOfMoney"]),
                "references": order["references"],
                "paymentMethod": "card",
                "cardPaymentMethodSpecificOutput": {
                    "paymentProductId": 1,
                    "card": {"cardNumber": "************4675"},
                },
            },
            "status": status,
            "statusOutput": {
                "isCancellable": False,
                "statusCategory": category,
                "statusCode": 9 if status == "CAPTURED" else 2,
                "isAuthorized": status == "CAPTURED",
                "isRefundable": status == "CAPTURED",
            },
        }

    def _get(self, checkout_id: str) -> Answer:
        checkout = self.checkouts.get(checkout_id)
        if checkout is None:
            return _worldline_error(
                404, "1002", "UNKNOWN_HOSTED_CHECKOUT_ID", "the hosted checkout does not exist"
            )
        if checkout["status"] != "PAYMENT_CREATED":
            return 200, {"status": checkout["status"]}
        category = "SUCCESSFUL" if checkout["payment_status"] == "CAPTURED" else "REJECTED"
        return 200, {
            "status": "PAYMENT_CREATED",
            "createdPaymentOutput": {
                "payment": self.payment(checkout_id),
                "paymentStatusCategory": category,
            },
        }

    def _refund(self, payment_id: str, body: dict[str, Any]) -> Answer:
        checkout = self.checkouts.get(payment_id.split("_")[0])
        if checkout is None or checkout.get("payment_status") != "CAPTURED":
            return _worldline_error(404, "1002", "UNKNOWN_PAYMENT_ID", "no such payment")
        paid = checkout["request"]["order"]["amountOfMoney"]["amount"]
        done = sum(r["refundOutput"]["amountOfMoney"]["amount"] for r in checkout["refunds"])
        if body["amountOfMoney"]["amount"] > paid - done:
            return _worldline_error(400, "300450", "REFUND_AMOUNT_EXCEEDS", "amount too high")
        refund = {
            "id": f"{payment_id.split('_')[0]}_{len(checkout['refunds']) + 1}",
            "refundOutput": {"amountOfMoney": body["amountOfMoney"]},
            "status": "REFUND_REQUESTED",
            "statusOutput": {"statusCategory": "PENDING_CONNECT_OR_3RD_PARTY", "statusCode": 81},
        }
        checkout["refunds"].append(refund)
        return 201, refund

    def event(self, checkout_id: str, kind: str = "payment.captured") -> bytes:
        """A webhook event about the checkout's payment, as Worldline posts it."""
        return json.dumps(
            {
                "apiVersion": "v1",
                "created": datetime.now(UTC).isoformat(),
                "id": secrets.token_hex(16),
                "merchantId": self.merchant_id,
                "type": kind,
                "payment": self.payment(checkout_id),
            }
        ).encode()

    def signed(self, body: bytes, secret: str = "", key_id: str = "") -> dict[str, str]:
        """The headers Worldline sends with ``body``: base64 of HMAC-SHA256 with the key."""
        digest = hmac.new((secret or self.webhook_secret).encode(), body, hashlib.sha256).digest()
        return {
            "X-GCS-Signature": base64.b64encode(digest).decode(),
            "X-GCS-KeyId": key_id or self.webhook_key_id,
        }
