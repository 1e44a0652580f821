"""French typography, applied once to everything Loket writes in French (pages and documents),
so that no template or translation has to get it right by hand:

- a non-breaking space before ``:``, ``;``, ``?`` and ``!`` and inside « guillemets », so that
  "Référence :" never breaks before its colon (and "Référence:" gets its space);
- the first day of a month as an ordinal, "1er janvier", as French writes dates.

Only text between tags is touched, never markup, scripts, styles, code or what a person typed
in a form field (``textarea``, ``pre``); times ("10:30") and addresses ("https://…") are left
alone, since a punctuation mark followed by a letter or digit is not the end of a phrase.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_KEEP = re.compile(r"(<(script|style|textarea|pre|code)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
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
    """An HTML page or document in French, with :func:`french_text` applied to its text, except
    inside an element in another language (``lang="nl"``: a Dutch case's decision shown to a
    French-speaking agent, the name of a language in the language switch)."""
    parts = _KEEP.split(html)
    # split() with two groups gives: text, whole kept block, tag name, text, ...
    out = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(_french_markup(part))
        elif kind == 1:
            out.append(part)
    return "".join(out)


_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>")
_LANG = re.compile(r"""\blang\s*=\s*["']?([a-zA-Z-]+)""")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def _french_markup(html: str) -> str:
    out, position = [], 0
    open_elements: list[tuple[str, bool]] = []  # (tag, in another language)
    for tag in _TAG.finditer(html):
        text = html[position : tag.start()]
        foreign = any(other for _name, other in open_elements)
        out.append(text if foreign else french_text(text))
        out.append(tag.group(0))
        position = tag.end()
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if closing:
            for depth in range(len(open_elements) - 1, -1, -1):
                if open_elements[depth][0] == name:
                    del open_elements[depth:]
                    break
        elif name not in _VOID and not attributes.rstrip().endswith("/"):
            lang = _LANG.search(attributes)
            open_elements.append((name, bool(lang and not lang.group(1).lower().startswith("fr"))))
    rest = html[position:]
    out.append(rest if any(other for _name, other in open_elements) else french_text(rest))
    return "".join(out)
