"""The OpenAPI 3.1 document of /api/v1, kept by hand beside the views it describes.

The schemathesis test (tests/test_api_schema.py) calls every operation with generated input and
checks each answer against this document, so the document and the code cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from loket.api.models import ApiClient, WebhookEndpoint
from loket.cases.models import Case
from loket.core.problems import CONTENT_TYPE as PROBLEM

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


TEXT = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
NAMES = obj({language: TEXT for language in ("fr", "nl", "en")})
STATUS = {"type": "string", "enum": list(Case.Status.values)}

SCHEMAS: dict[str, Schema] = {
    "Names": NAMES,
    "IncidentText": {
        **obj({"text": {"type": "string", "minLength": 1, "maxLength": 2000}}, required=["text"]),
        "description": "A resident's description of a problem in public space, in any language.",
    },
    "IncidentSuggestions": {
        **obj(
            {
                "language": {"type": "string", "enum": ["fr", "nl", "en", ""]},
                "model_version": nullable("integer"),
                "abstained": {"type": "boolean"},
                "suggestions": {
                    "type": "array",
                    "items": obj(
                        {
                            "category": TEXT,
                            "category_label": TEXT,
                            "administration": TEXT,
                            "administration_name": TEXT,
                            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                        required=["category", "administration", "confidence"],
                    ),
                },
            },
            required=["language", "suggestions", "abstained", "model_version"],
        ),
        "description": (
            "The three likeliest categories, likeliest first, with who handles each "
            "(`municipality-of-location`: the municipality where the problem is; `a|b`: a on a "
            "regional road, else b). `abstained`: the top confidence is under the threshold, "
            "so a form would ask instead of suggesting. No model trained yet: no suggestions."
        ),
    },
    "Problem": {
        **obj(
            {
                "type": {"type": "string", "format": "uri"},
                "title": TEXT,
                "status": {"type": "integer"},
                "detail": TEXT,
                "instance": TEXT,
                "errors": {
                    "type": "array",
                    "items": obj({"field": TEXT, "detail": TEXT}),
                },
            },
            required=["type", "title", "status", "detail", "instance"],
        ),
        "description": "RFC 9457 problem details; `errors` names each invalid field.",
    },
    "Administration": obj(
        {
            "id": TEXT,
            "kind": {"type": "string", "enum": ["municipality", "regional"]},
            "names": ref("Names"),
        }
    ),
    "LifeEvent": obj({"id": TEXT, "names": ref("Names")}),
    "Procedure": obj(
        {
            "id": TEXT,
            "names": ref("Names"),
            "summary": ref("Names"),
            "owner_kind": {"type": "string", "enum": ["municipality", "body"]},
            "administration": nullable("string"),
            "audience": TEXT,
            "life_events": {"type": "array", "items": TEXT},
            "processing_days": {"type": "integer", "minimum": 0},
            "fee_eur": {"type": "string", "description": "A decimal amount in euro."},
        }
    ),
    "CaseSummary": obj(
        {
            "reference": TEXT,
            "procedure": TEXT,
            "administration": TEXT,
            "status": STATUS,
            "submitted_at": TIME,
            "updated_at": TIME,
            "due_on": nullable("string", format="date"),
            "decided_at": nullable("string", format="date-time"),
        }
    ),
    "Document": obj(
        {
            "id": {"type": "string", "format": "uuid"},
            "name": TEXT,
            "content_type": TEXT,
            "size": {"type": "integer"},
            "sha256": TEXT,
            "url": {"type": "string", "format": "uri"},
        }
    ),
    "Case": {
        "allOf": [
            ref("CaseSummary"),
            obj(
                {
                    "language": TEXT,
                    "answers": {"type": "object", "description": "The applicant's answers."},
                    "history": {
                        "type": "array",
                        "items": obj(
                            {
                                "at": TIME,
                                "kind": {
                                    "type": "string",
                                    "enum": ["status", "assignment", "referral"],
                                    "description": "Status, assignment or referral.",
                                },
                                "status": STATUS,
                                "actor": nullable("string"),
                                "assignee": nullable("string"),
                                "note": TEXT,
                            }
                        ),
                    },
                    "messages": {
                        "type": "array",
                        "items": obj(
                            {
                                "id": {"type": "integer"},
                                "at": TIME,
                                "from_applicant": {"type": "boolean"},
                                "author": TEXT,
                                "body": TEXT,
                                "requests_information": {"type": "boolean"},
                                "documents": {"type": "array", "items": ref("Document")},
                            }
                        ),
                    },
                }
            ),
        ]
    },
    "DocumentIn": obj(
        {
            "name": {"type": "string", "maxLength": 120},
            "content_base64": {
                "type": "string",
                "contentEncoding": "base64",
                "description": "A PDF, JPEG or PNG file, 10 MB at most.",
            },
        },
        required=["content_base64"],
    ),
    "StatusChange": obj(
        {"status": STATUS, "note": {"type": "string", "maxLength": 10000}}, required=["status"]
    ),
    "MessageIn": obj(
        {
            "body": {"type": "string", "minLength": 1, "maxLength": 10000},
            "requests_information": {"type": "boolean", "default": False},
            "documents": {"type": "array", "maxItems": 5, "items": ref("DocumentIn")},
        },
        required=["body"],
    ),
    "DecisionIn": obj(
        {
            "status": {"type": "string", "enum": ["approved", "rejected"]},
            "note": {"type": "string", "maxLength": 10000},
            "documents": {"type": "array", "maxItems": 5, "items": ref("DocumentIn")},
        },
        required=["status"],
    ),
    "WebhookEndpoint": obj(
        {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "events": {
                "type": "array",
                "items": {"type": "string", "enum": list(WebhookEndpoint.EVENTS)},
            },
            "active": {"type": "boolean"},
            "created_at": TIME,
        }
    ),
    "WebhookEndpointCreated": {
        "allOf": [ref("WebhookEndpoint"), obj({"secret": TEXT})],
        "description": "The secret (whsec_…) is shown only here: keep it to verify the "
        "webhook-signature of each delivery (Standard Webhooks).",
    },
    "WebhookEndpointIn": obj(
        {
            "url": {"type": "string", "format": "uri", "maxLength": 500},
            "events": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "enum": list(WebhookEndpoint.EVENTS)},
            },
            "secret": {
                "type": "string",
                "pattern": "^whsec_[A-Za-z0-9+/]{32,86}={0,2}$",
                "description": "Standard Webhooks secret: whsec_ and 24 to 64 bytes in base64. "
                "Leave it out to have one made.",
            },
        },
        required=["url"],
    ),
    "Address": {
        **obj(
            {
                "id": {"type": "string", "description": "The register's address (or street) id."},
                "street_fr": TEXT,
                "street_nl": TEXT,
                "house_number": TEXT,
                "box": TEXT,
                "postcode": TEXT,
                "nis_code": {"type": "string", "description": "The municipality's NIS code."},
                "lat": nullable("number", minimum=-90, maximum=90),
                "lon": nullable("number", minimum=-180, maximum=180),
                "precision": {"type": "string", "enum": ["address", "street"]},
                "score": {"type": "number", "minimum": 0, "maximum": 1},
            }
        ),
        "description": "An address point of the Brussels register (UrbIS/BeST), or a street; "
        "coordinates in WGS 84, null only for a street the register gives no point for.",
    },
    "Addresses": obj({"results": {"type": "array", "items": ref("Address")}}),
    "WebhookDelivery": obj(
        {
            "id": {"type": "string", "format": "uuid"},
            "event": TEXT,
            "payload": {"type": "object"},
            "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
            "attempts": {"type": "integer"},
            "next_attempt_at": nullable("string", format="date-time"),
            "last_response_code": nullable("integer"),
            "last_error": TEXT,
            "created_at": TIME,
            "delivered_at": nullable("string", format="date-time"),
        }
    ),
}


def page_of(name: str) -> Schema:
    return obj(
        {
            "count": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
            "next": nullable("string", format="uri"),
            "previous": nullable("string", format="uri"),
            "results": {"type": "array", "items": ref(name)},
        }
    )


PROBLEM_TEXT = {
    400: "The body is not valid JSON.",
    401: "No valid bearer token.",
    403: "The token lacks the scope.",
    404: "Not found (or another administration's).",
    405: "Method not allowed.",
    409: "The case cannot take this status now, or is closed to messages.",
    412: "If-Match does not match the case's current ETag (version).",
    413: "The body is too large.",
    415: "The body is not application/json.",
    422: "A field or parameter is invalid; `errors` names it.",
    428: "If-Match is missing.",
    429: "Too many requests; see Retry-After.",
}


def problems(*codes: int) -> dict[str, Schema]:
    answers: dict[str, Schema] = {}
    for code in codes:
        answer: Schema = {
            "description": PROBLEM_TEXT[code],
            "content": {PROBLEM: {"schema": ref("Problem")}},
        }
        if code == 429:
            answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        if code == 401:
            answer["headers"] = {"WWW-Authenticate": {"schema": TEXT}}
        answers[str(code)] = answer
    return answers


def ok(
    schema: Schema, code: int = 200, description: str = "OK", etag: bool = False
) -> dict[str, Schema]:
    answer: Schema = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if etag:
        answer["headers"] = {"ETag": {"schema": TEXT, "description": "Send it back in If-Match."}}
    return {str(code): answer}


def query(name: str, schema: Schema, description: str = "", required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def in_path(name: str, schema: Schema | None = None) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema or TEXT}


PAGING = [
    query("page", {"type": "integer", "minimum": 1, "maximum": 1000000}, "Page number, from 1."),
    query("page_size", {"type": "integer", "minimum": 1, "maximum": 100}, "Items per page."),
]
ADDRESS_LIMIT = query(
    "limit", {"type": "integer", "minimum": 1, "maximum": 50}, "At most this many (10, 5 reverse)."
)
REFERENCE = in_path("reference")
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": TEXT,
    "description": "The ETag of the case as last read. Missing: 428; not current: 412.",
}
ENDPOINT_ID = in_path("endpoint_id", {"type": "integer"})
TOKEN: list[dict[str, list[str]]] = [{"bearer": []}]
TOKEN_PROBLEMS = (401, 403, 429)


def operation(
    summary: str,
    responses: dict[str, Schema],
    *,
    tag: str,
    scope: str | None = None,
    parameters: list[Schema] | None = None,
    body: str | None = None,
    operation_id: str,
) -> Schema:
    op: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "parameters": parameters or [],
        "responses": responses,
        "security": TOKEN if scope else [],
    }
    if scope:
        op["description"] = f"Needs a token with the scope `{scope}`."
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return op


def _write_op(summary: str, body: str, operation_id: str) -> Schema:
    return operation(
        summary,
        {
            **ok(ref("Case"), etag=True),
            **problems(400, 404, 409, 412, 413, 415, 422, 428, *TOKEN_PROBLEMS),
        },
        tag="cases",
        scope="cases:write",
        parameters=[REFERENCE, IF_MATCH],
        body=body,
        operation_id=operation_id,
    )


PATHS: dict[str, Schema] = {
    "/procedures/": {
        "get": operation(
            "The catalogue of procedures",
            {**ok(page_of("Procedure")), **problems(422, 429)},
            tag="catalogue",
            operation_id="listProcedures",
            parameters=[
                *PAGING,
                query("life_event", TEXT, "A life event id."),
                query("administration", TEXT, "An administration id."),
                query(
                    "q",
                    {"type": "string", "maxLength": 200},
                    "Words, or a sentence about one's situation, in French, Dutch or English; "
                    "the procedures that fit come best first.",
                ),
            ],
        )
    },
    "/procedures/{procedure_id}/": {
        "get": operation(
            "One procedure",
            {**ok(ref("Procedure")), **problems(404, 429)},
            tag="catalogue",
            parameters=[in_path("procedure_id")],
            operation_id="getProcedure",
        )
    },
    "/life-events/": {
        "get": operation(
            "Life events",
            {**ok(page_of("LifeEvent")), **problems(422, 429)},
            tag="catalogue",
            parameters=PAGING,
            operation_id="listLifeEvents",
        )
    },
    "/administrations/": {
        "get": operation(
            "Administrations",
            {**ok(page_of("Administration")), **problems(422, 429)},
            tag="catalogue",
            parameters=PAGING,
            operation_id="listAdministrations",
        )
    },
    "/incidents/suggest": {
        "post": operation(
            "Suggest the category of a report in public space from its description",
            {**ok(ref("IncidentSuggestions")), **problems(400, 413, 415, 422, 429)},
            tag="incidents",
            body="IncidentText",
            operation_id="suggestIncidentCategory",
        )
    },
    "/addresses/": {
        "get": operation(
            "Brussels addresses and streets that a typed address may mean, best first",
            {**ok(ref("Addresses")), **problems(422, 429)},
            tag="addresses",
            operation_id="searchAddresses",
            parameters=[
                query(
                    "q",
                    {"type": "string", "minLength": 1, "maxLength": 200},
                    "The address as typed, in French or Dutch.",
                    required=True,
                ),
                ADDRESS_LIMIT,
            ],
        )
    },
    "/addresses/reverse": {
        "get": operation(
            "The addresses nearest to a point, nearest first",
            {**ok(ref("Addresses")), **problems(422, 429)},
            tag="addresses",
            operation_id="reverseGeocode",
            parameters=[
                query(
                    "lat",
                    {"type": "number", "minimum": -90, "maximum": 90},
                    "Latitude, WGS 84 decimal degrees.",
                    required=True,
                ),
                query(
                    "lon",
                    {"type": "number", "minimum": -180, "maximum": 180},
                    "Longitude, WGS 84 decimal degrees.",
                    required=True,
                ),
                ADDRESS_LIMIT,
            ],
        )
    },
    "/cases/": {
        "get": operation(
            "Your administration's cases",
            {**ok(page_of("CaseSummary")), **problems(422, *TOKEN_PROBLEMS)},
            tag="cases",
            scope="cases:read",
            operation_id="listCases",
            parameters=[
                *PAGING,
                query("status", STATUS),
                query("procedure", TEXT),
                query("submitted_after", TEXT, "ISO 8601 date or date-time, inclusive."),
                query("submitted_before", TEXT, "ISO 8601 date or date-time, exclusive."),
            ],
        )
    },
    "/cases/{reference}/": {
        "get": operation(
            "One case: answers, status, history, messages, documents",
            {**ok(ref("Case"), etag=True), **problems(404, *TOKEN_PROBLEMS)},
            tag="cases",
            scope="cases:read",
            parameters=[REFERENCE],
            operation_id="getCase",
        )
    },
    "/cases/{reference}/documents/{attachment_id}/": {
        "get": operation(
            "Download a document of the case",
            {
                "200": {
                    "description": "The file.",
                    "content": {
                        mime: {"schema": {"type": "string", "format": "binary"}}
                        for mime in ("application/pdf", "image/jpeg", "image/png")
                    },
                },
                **problems(404, *TOKEN_PROBLEMS),
            },
            tag="cases",
            scope="cases:read",
            operation_id="getCaseDocument",
            parameters=[REFERENCE, in_path("attachment_id", {"type": "string", "format": "uuid"})],
        )
    },
    "/cases/{reference}/status/": {
        "post": _write_op(
            "Change the status (information_requested needs a note)", "StatusChange", "changeStatus"
        )
    },
    "/cases/{reference}/messages/": {
        "post": _write_op(
            "Send the applicant a message, with documents", "MessageIn", "postMessage"
        )
    },
    "/cases/{reference}/decision/": {
        "post": _write_op(
            "Decide (approved or rejected), with the decision documents", "DecisionIn", "decide"
        )
    },
    "/webhooks/": {
        "get": operation(
            "Your webhook endpoints",
            {**ok(page_of("WebhookEndpoint")), **problems(422, *TOKEN_PROBLEMS)},
            tag="webhooks",
            scope="webhooks",
            parameters=PAGING,
            operation_id="listWebhooks",
        ),
        "post": operation(
            "Register an endpoint",
            {
                **ok(ref("WebhookEndpointCreated"), 201, "Created"),
                **problems(400, 413, 415, 422, *TOKEN_PROBLEMS),
            },
            tag="webhooks",
            scope="webhooks",
            body="WebhookEndpointIn",
            operation_id="createWebhook",
        ),
    },
    "/webhooks/{endpoint_id}/": {
        "get": operation(
            "One endpoint",
            {**ok(ref("WebhookEndpoint")), **problems(404, *TOKEN_PROBLEMS)},
            tag="webhooks",
            scope="webhooks",
            parameters=[ENDPOINT_ID],
            operation_id="getWebhook",
        ),
        "delete": operation(
            "Remove an endpoint",
            {"204": {"description": "Removed."}, **problems(404, *TOKEN_PROBLEMS)},
            tag="webhooks",
            scope="webhooks",
            parameters=[ENDPOINT_ID],
            operation_id="deleteWebhook",
        ),
    },
    "/webhooks/{endpoint_id}/deliveries/": {
        "get": operation(
            "The delivery log of an endpoint",
            {**ok(page_of("WebhookDelivery")), **problems(404, 422, *TOKEN_PROBLEMS)},
            tag="webhooks",
            scope="webhooks",
            parameters=[ENDPOINT_ID, *PAGING],
            operation_id="listDeliveries",
        )
    },
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay/": {
        "post": operation(
            "Send a delivery again, with the same delivery id",
            {**ok(ref("WebhookDelivery"), 202, "Queued"), **problems(404, *TOKEN_PROBLEMS)},
            tag="webhooks",
            scope="webhooks",
            operation_id="replayDelivery",
            parameters=[ENDPOINT_ID, in_path("delivery_id", {"type": "string", "format": "uuid"})],
        )
    },
}


def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loket API",
            "version": "1",
            "description": (
                "The public catalogue and the Brussels address register (anonymous) and, for an "
                "administration's own systems, its cases and webhooks (bearer token). Errors are "
                "RFC 9457 problem+json. Writes need If-Match with the case's ETag. Scopes: "
                + ", ".join(ApiClient.SCOPES)
                + "."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made with `loket api-client create`.",
                }
            },
        },
    }
