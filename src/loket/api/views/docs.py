"""The OpenAPI document, the browsable docs rendered from it on the server, and the 404 answer
for unknown addresses under /api/v1."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loket.api.http import api_view, json_response
from loket.api.openapi import document
from loket.core.access import access
from loket.core.problems import not_found

METHODS = ("get", "post", "put", "patch", "delete")


@api_view(("GET",))
def openapi_document(request: HttpRequest) -> HttpResponse:
    response = json_response(document())
    response["Content-Type"] = "application/vnd.oai.openapi+json;version=3.1"
    return response


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for route, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                found.append(
                    {
                        "id": op["operationId"],
                        "method": method.upper(),
                        "path": spec["servers"][0]["url"] + route,
                        "summary": op["summary"],
                        "description": op.get("description", ""),
                        "parameters": op["parameters"],
                        "body": op.get("requestBody", {}).get("content", {})
                        .get("application/json", {}).get("schema", {}).get("$ref", "")
                        .rsplit("/", 1)[-1],
                        "responses": sorted(op["responses"].items()),
                    }
                )  # fmt: skip
    return found


@access("anonymous")
def browsable(request: HttpRequest) -> HttpResponse:
    import json

    spec = document()
    schemas = [
        (name, json.dumps(schema, indent=2, ensure_ascii=False))
        for name, schema in spec["components"]["schemas"].items()
    ]
    return render(
        request,
        "api/docs.html",
        {"info": spec["info"], "operations": _operations(spec), "schemas": schemas},
    )


@api_view(("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))
def unknown(request: HttpRequest) -> HttpResponse:
    raise not_found(_("There is no API operation at this address."))
