"""How people type Brussels addresses: folding, abbreviations, house numbers, boxes, postcodes.

Pure functions, no database: the search index and the evaluation both rely on them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY = 200  # no Brussels address is longer; longer input is cut, never refused

# Words that never decide which street is meant (articles and prepositions, FR and NL).
STOPWORDS = frozenset(
    "a au aux d de des du en et l la le les sur sous lez lès van der den de het t ter ten op "
    "in aan bij voor".split()
)

# What people abbreviate, folded; several meanings are all tried (pl. is place or plein).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "anc": ("ancienne", "ancien"),
    "av": ("avenue",),
    "ave": ("avenue",),
    "avn": ("avenue",),
    "bd": ("boulevard",),
    "bld": ("boulevard",),
    "blvd": ("boulevard",),
    "boul": ("boulevard",),
    "bvd": ("boulevard",),
    "ch": ("chaussee", "chemin"),
    "chee": ("chaussee",),
    "chau": ("chaussee",),
    "chaus": ("chaussee",),
    "chss": ("chaussee",),
    "chem": ("chemin",),
    "pl": ("place", "plein"),
    "pln": ("plein",),
    "sq": ("square",),
    "r": ("rue",),
    "st": ("saint", "sint"),
    "ste": ("sainte",),
    "sts": ("saints",),
    "gd": ("grand",),
    "gde": ("grande",),
    "imp": ("impasse",),
    "qu": ("quai",),
    "sent": ("sentier",),
    "dr": ("docteur", "dokter"),
    "prof": ("professeur", "professor"),
    "lt": ("lieutenant", "luitenant"),
    "gen": ("general", "generaal"),
    "gal": ("general",),
    "cdt": ("commandant",),
    "burg": ("burgemeester",),
    "bgm": ("bourgmestre", "burgemeester"),
    "str": ("straat",),
    "stw": ("steenweg",),
    "stwg": ("steenweg",),
    "stwg.": ("steenweg",),
    "steenw": ("steenweg",),
    "ln": ("laan",),
    "kon": ("koning", "koningin"),
    "vx": ("vieux",),
    "vl": ("vieille",),
}

# Dutch street words written glued to the name (Wetstraat) but often typed apart or shortened.
DUTCH_SUFFIXES = (
    "straat",
    "steenweg",
    "laan",
    "plein",
    "dreef",
    "weg",
    "lei",
    "kaai",
    "pad",
    "plaats",
    "hof",
    "square",
    "park",
    "berg",
    "dijk",
    "gang",
    "vest",
    "markt",
)
SHORT_SUFFIXES = (("stwg", "steenweg"), ("steenw", "steenweg"), ("str", "straat"), ("ln", "laan"))

BOX_WORD = r"(?:/\s*|(?:boite|bte|bt|bus|box)(?![a-z])\.?\s*|b\.?\s*(?=\d))"
NUMBER_BOX = re.compile(
    rf"(?<![a-z0-9])(\d{{1,5}})\s*([a-z](?![a-z]))?\s*{BOX_WORD}([a-z0-9][a-z0-9.]*)"
)
NUMBER = re.compile(r"(?<![a-z0-9])(\d{1,5})(?:\s*-?\s*([a-z])(?![a-z]))?(?:\s*-\s*\d+)?")


def fold(text: str) -> str:
    """Lower case without accents or ligatures: ``Chaussée d'Œuvre`` → ``chaussee d'oeuvre``."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of a name, articles and prepositions left out."""
    return [w for w in WORD.findall(fold(text)) if w not in STOPWORDS]


def name_key(text: str) -> str:
    """A key under which two spellings of one street name are equal (accents, case, dashes)."""
    return " ".join(WORD.findall(fold(text)))


def number_key(house_number: str) -> str:
    """House numbers compared as typed: ``450 A`` and ``450a`` are the same number."""
    return "".join(WORD.findall(fold(house_number)))


def box_key(box: str) -> str:
    """Boxes compared without their prefix or leading zeros: ``b001``, ``bte 1`` and ``1``."""
    key = "".join(WORD.findall(fold(box)))
    for prefix in ("boite", "bte", "bus", "box", "bt", "b"):
        if key.startswith(prefix) and len(key) > len(prefix) and key[len(prefix)].isdigit():
            key = key[len(prefix) :]
            break
    return key.lstrip("0") or key


def box_text(box: str, word: str) -> str:
    """A box as written after the house number: " bte 12 gauche" as typed when it names itself
    (bus, boîte, bte, /), else preceded by ``word`` (the language's "box"); "" without a box."""
    box = box.strip()
    if not box:
        return ""
    names_itself = re.match(rf"^{BOX_WORD}", fold(box)) is not None and not box[0].isdigit()
    return f" {box}" if names_itself else f" {word} {box}"


@dataclass(frozen=True)
class Token:
    """A query word (or a meaning of it) and the positions of the typed words it stands for."""

    text: str
    parts: frozenset[int]


@dataclass(frozen=True)
class ParsedQuery:
    """A typed address taken apart; ``tokens`` are the words that may name a street or place."""

    tokens: tuple[Token, ...]
    positions: frozenset[int]
    house_number: str
    box: str
    postcode: str
    number_may_be_postcode: bool


def _expand(word: str) -> tuple[str, ...]:
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    for short, full in SHORT_SUFFIXES:
        if word.endswith(short) and len(word) > len(short) + 2:
            return (word, word[: -len(short)] + full)
    return (word,)


def _tokens(text: str, keep_digits: bool = False) -> tuple[list[Token], frozenset[int]]:
    typed = [w for w in WORD.findall(text) if keep_digits or not w.isdigit()]
    tokens: list[Token] = []
    positions: set[int] = set()
    for position, word in enumerate(typed):
        if word in STOPWORDS:
            continue
        positions.add(position)
        for meaning in _expand(word):
            tokens.append(Token(meaning, frozenset({position})))
    for position in range(len(typed) - 1):
        first, second = typed[position], typed[position + 1]
        for suffix in _expand(second):
            if suffix in DUTCH_SUFFIXES and first not in STOPWORDS:
                tokens.append(Token(first + suffix, frozenset({position, position + 1})))
    return tokens, frozenset(positions)


def parse_query(query: str, postcodes: frozenset[str]) -> ParsedQuery:
    """Split a typed address into street/place words, house number, box and postcode."""
    text = fold(query[:MAX_QUERY])
    postcode = ""
    for match in re.finditer(r"(?<![0-9])(1[0-2]\d\d)(?![0-9])", text):
        if match.group(1) in postcodes:
            postcode = match.group(1)
    house_number, box = "", ""
    without_postcode = text.replace(postcode, " ", 1) if postcode else text
    found = NUMBER_BOX.search(without_postcode)
    if found:
        house_number = found.group(1) + (found.group(2) or "")
        box = box_key(found.group(3))
        rest = without_postcode[: found.start()] + " " + without_postcode[found.end() :]
    else:
        simple = NUMBER.search(without_postcode)
        if simple:
            house_number = simple.group(1) + (simple.group(2) or "")
            rest = without_postcode[: simple.start()] + " " + without_postcode[simple.end() :]
        else:
            rest = without_postcode
    may_be_postcode = False
    if postcode and not house_number:
        # "Chaussée de Haecht 1130": a lone postcode-like number may be the house number.
        house_number, may_be_postcode = postcode, True
    tokens, positions = _tokens(rest)
    return ParsedQuery(tuple(tokens), positions, house_number, box, postcode, may_be_postcode)


def street_query(street: str) -> ParsedQuery:
    """A street name typed on its own (numbers kept: Rue du 11 Novembre), as a query."""
    tokens, positions = _tokens(fold(street[:MAX_QUERY]), keep_digits=True)
    return ParsedQuery(tuple(tokens), positions, "", "", "", False)
