"""``POST /api/v1/incidents/suggest``: the category a description suggests. Anonymous and
rate-limited like the catalogue; the text is not kept, the suggestion is recorded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from loket.api.http import api_view, json_response, read_json, string_field
from loket.assist.actions import MAX_TEXT, do_suggest
from loket.assist.models import Suggestion
from loket.assist.selectors import handler_of
from loket.incidents.selectors import category_labels


@api_view(("POST",))
def suggest(request: HttpRequest) -> HttpResponse:
    text = string_field(read_json(request), "text", MAX_TEXT)
    result = do_suggest(text, Suggestion.Channel.API)
    labels = category_labels()
    suggestions = []
    for ranked in result.ranked:
        handler = handler_of(ranked.category)
        suggestions.append({
            "category": ranked.category, "category_label": labels.get(ranked.category, ""),
            "administration": handler.id, "administration_name": handler.name,
            "confidence": round(ranked.confidence, 4),
        })  # fmt: skip
    suggestion = result.suggestion
    return json_response({
        "language": result.language,
        "model_version": suggestion.model_version.version if suggestion else None,
        "abstained": suggestion.abstained if suggestion else True,
        "suggestions": suggestions,
    })  # fmt: skip
