"""Helpers for content that carries its own translations (catalogue data, definitions)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import get_language, gettext_lazy

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def current_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def pick(texts: Mapping[str, str] | None, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), falling back to FR, NL, then EN."""
    if not texts:
        return ""
    language = language or current_language()
    for code in (language, "fr", "nl", "en"):
        if texts.get(code):
            return texts[code]
    return ""


# A case's language named to the agent, in the agent's language ("Néerlandais", "Frans").
LANGUAGE_NAMES = {
    "fr": gettext_lazy("French"),
    "nl": gettext_lazy("Dutch"),
    "en": gettext_lazy("English"),
}


def language_name(code: str) -> str:
    """The name of a language (a case's, say) in the active language, capitalised as a label."""
    name = LANGUAGE_NAMES.get(code)
    return str(name) if name is not None else code
