"""Helpers for content that carries its own translations (catalogue data, definitions)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext, gettext_lazy

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


# Frequent short words of each language, and only of it: enough to tell, in a paragraph written
# by a civil servant, French from Dutch from English.
_FUNCTION_WORDS = {
    "fr": frozenset(
        "le la les des du une est sont vous votre vos nous pour dans avec pas qui que "
        "sur par ne ce cette au aux et être été mais il elle ils un leur très".split()
    ),
    "nl": frozenset(
        "het een van zijn u uw wij niet voor met dat die op aan te bij wordt werd om "
        "ook geen naar maar uit nog er ik hij wat heeft hebben".split()
    ),
    "en": frozenset(
        "the an of and are you your not for with that this to by be was were it but have "
        "has from they there which my our".split()
    ),
}


def guess_language(text: str) -> str | None:
    """The language ``text`` is most likely written in, or None when it is too short to tell
    (fewer than five telling words) or no language clearly leads."""
    words = re.findall(r"\b[^\W\d_]+\b", text.lower())  # "1er" is no word "er"
    hits = {code: sum(w in known for w in words) for code, known in _FUNCTION_WORDS.items()}
    ranked = sorted(hits.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_second, runner_up) = ranked[0], ranked[1]
    if top < 5 or top < 2 * runner_up:
        return None
    return best


def format_file_size(size: int) -> str:
    """A file's size as people write it in the active language: "43 Ko", "43 kB", "1,5 Mo"
    (decimal units, rounded up so that a small file is never "0 kB")."""
    if size < 1_000_000:
        return str(gettext("%(size)s kB") % {"size": max(1, -(-size // 1000))})
    megabytes = formats.number_format(round(size / 1_000_000, 1), decimal_pos=1)
    return str(gettext("%(size)s MB") % {"size": megabytes})


# French elides "de" before a vowel or a mute h: "d'Ixelles", "d'Uccle", "d'avril", but
# "de Schaerbeek". Brussels has no place name with an aspirated h.
_FRENCH_ELIDING = "aàâäeéèêëiîïoôöuùûüyœæh"


def french_of(name: str) -> str:
    """``de <name>``, elided where French elides it."""
    return f"d'{name}" if name[:1].lower() in _FRENCH_ELIDING else f"de {name}"


def with_french_elision(text: str, name: str) -> str:
    """``text`` (already translated) with its ``de <name>`` elided when the active language is
    French: translations write "de %(municipality)s" and the name decides the elision."""
    if current_language() != "fr" or not name:
        return text
    return text.replace(f"de {name}", french_of(name))
