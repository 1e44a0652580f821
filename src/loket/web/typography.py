"""Pages in French get French typography (``core.typography``) on their way out, whoever wrote
their text: templates, translations, definitions or data."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from loket.core.typography import french_html


class FrenchTypographyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "LANGUAGE_CODE", "") == "fr"
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and response.get("Content-Encoding") is None
        ):
            charset = response.charset or "utf-8"
            response.content = french_html(response.content.decode(charset)).encode(charset)
        return response
