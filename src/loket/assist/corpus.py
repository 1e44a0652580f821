"""The labelled texts the incident classifier learns from, the frozen set it is measured on,
and the scrubbing that removes personal data before a resident's words are kept for training.

The corpus and the frozen set are files in the repository (``data/incidents``, see its
README); the frozen set is never given to ``train``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "incidents"
TRAINING_FILES = ("train.fr.tsv", "train.nl.tsv", "train.en.tsv")
FROZEN_FILE = "frozen-test.tsv"


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    language: str


def _rows(path: Path) -> Iterable[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def corpus_examples() -> list[Example]:
    """The training corpus written for Loket, in the three languages."""
    examples = []
    for name in TRAINING_FILES:
        language = name.split(".")[1]
        examples += [Example(text, category, language) for category, text in _rows(DATA / name)]
    return examples


def frozen_examples() -> list[Example]:
    """The frozen test set: never trained on, the same for every model version."""
    return [
        Example(text, category, language) for language, category, text in _rows(DATA / FROZEN_FILE)
    ]


def corpus_files() -> list[Path]:
    return [DATA / name for name in (*TRAINING_FILES, FROZEN_FILE)]


EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"https?://\S+|www\.\S+")
# Belgian plates: 1-ABC-234, 1ABC234, ABC-123, and the older 123-ABC.
PLATE = re.compile(r"\b(?:\d[- ]?[A-Z]{3}[- ]?\d{3}|[A-Z]{3}[- ]?\d{3}|\d{3}[- ]?[A-Z]{3})\b", re.I)
DIGITS = re.compile(r"[+]?\d[\d\s./-]*\d|\d")  # national and phone numbers, house numbers
CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-Þ][\w'-]*", re.M)
SPACES = re.compile(r"\s{2,}")


@cache
def _known_words() -> frozenset[str]:
    """Every word of the corpus: a capitalised word outside it is treated as a name."""
    return frozenset(
        word.lower()
        for example in corpus_examples()
        for word in re.findall(r"[\w'-]+", example.text)
    )


def scrub(text: str) -> str:
    """The text without e-mail addresses, links, plates, numbers (national, phone, house) and
    names. A name is any capitalised word, not opening a sentence, that the corpus does not
    know: Brussels places the corpus names stay, a neighbour's name goes."""
    text = EMAIL.sub(" ", text)
    text = URL.sub(" ", text)
    text = PLATE.sub(" ", text)
    text = DIGITS.sub(" ", text)
    known = _known_words()
    text = CAPITALISED.sub(lambda m: m.group(0) if m.group(0).lower() in known else " ", text)
    return SPACES.sub(" ", text).strip()
