"""Which of Loket's three languages a text is written in, with py3langid (its model ships in
the wheel; nothing is downloaded). Restricted to fr, nl and en: a Brussels text in another
language is told as the nearest of the three, which is what a reply can be written in."""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

LANGUAGES = ("fr", "nl", "en")


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str:
    """``fr``, ``nl`` or ``en``; ``""`` for a text with no letters to judge."""
    if not any(character.isalpha() for character in text):
        return ""
    language, _probability = _identifier().classify(text)
    return str(language)
