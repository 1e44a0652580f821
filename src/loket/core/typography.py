"""French typography, applied once to everything Loket writes in French (pages and documents),
so that no template or translation has to get it right by hand:

- a non-breaking space before ``:``, ``;``, ``?`` and ``!`` and inside « guillemets », so that
  "Référence :" never breaks before its colon (and "Référence:" gets its space);
- the first day of a month as an ordinal, "1er janvier", as French writes dates.

Only text between tags is touched, never markup, scripts, styles or what a person typed in a form
field (``textarea``, ``pre``); times ("10:30") and addresses ("https://…") are left alone, since a
punctuation mark followed by a letter or digit is not the end of a phrase.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_KEEP = re.compile(r"(<(script|style|textarea|pre)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_TEXT = re.compile(r">([^<]+)<")
_SPACE_BEFORE = re.compile(r"[ \t]+([:;?!»])")
_NO_SPACE_BEFORE = re.compile(r"(?<=[^\s\u00a0\u202f(\[/])([:;?!])(?=\s|$|&nbsp;)")
_OPENING = re.compile(r"«[ \t]*")
_FIRST_OF_MONTH = re.compile(rf"(?<![\d\w])1(?:{NBSP}| )({MONTHS})\b")


_ENTITY = re.compile(r"(&#?\w+;)")


def french_text(text: str) -> str:
    """French text (HTML character references such as ``&amp;`` are kept whole), spaced and
    dated as French writes it."""
    parts = _ENTITY.split(text)
    return "".join(part if index % 2 else _french(part) for index, part in enumerate(parts))


def _french(text: str) -> str:
    text = _SPACE_BEFORE.sub(NBSP + r"\1", text)
    text = _NO_SPACE_BEFORE.sub(NBSP + r"\1", text)
    text = _OPENING.sub("«" + NBSP, text)
    return _FIRST_OF_MONTH.sub(r"1er \1", text)


def french_html(html: str) -> str:
    """An HTML page or document in French, with :func:`french_text` applied to its text."""
    parts = _KEEP.split(html)
    # split() with two groups gives: text, whole kept block, tag name, text, ...
    out = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(_TEXT.sub(lambda m: ">" + french_text(m.group(1)) + "<", part))
        elif kind == 1:
            out.append(part)
    return "".join(out)
