"""The incident classifier: TF-IDF on words and on character n-grams, then a multinomial
logistic regression (the set-up Signalen uses). Character n-grams carry misspellings and the
three languages in one model. See docs/decisions/0012-assist-tfidf-classifier.md."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from loket.assist.corpus import Example
from loket.assist.finder import STOPWORDS

TOKEN = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# The finder's stop words, and fillers of a report that say nothing about its kind.
FILLERS = STOPWORDS | frozenset(
    """chez depuis très tout toute tous toutes déjà encore er sinds al heel erg echt nog
    since been very all already still again""".split()
)


def meaningful_words(text: str) -> list[str]:
    """The words of ``text`` that can tell a kind of problem (no stop words, no numbers),
    in order, each once."""
    words = (w for w in TOKEN.findall(text) if w.casefold() not in FILLERS)
    return list(dict.fromkeys(words))


def build_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                      strip_accents="unicode", lowercase=True, min_df=1)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                      strip_accents="unicode", lowercase=True, min_df=2)),
        ]
    )  # fmt: skip
    return Pipeline([("features", features), ("model", LogisticRegression(C=20, max_iter=2000))])


def train(examples: Sequence[Example]) -> Pipeline:
    pipeline = build_pipeline()
    pipeline.fit([e.text for e in examples], [e.category for e in examples])
    return pipeline


@dataclass(frozen=True)
class Ranked:
    category: str
    confidence: float


def rank(pipeline: Pipeline, texts: Sequence[str], k: int = 3) -> list[list[Ranked]]:
    """For each text, the ``k`` likeliest categories with their probability, likeliest first."""
    probabilities = pipeline.predict_proba(list(texts))
    classes = pipeline.classes_
    ranked = []
    for row in probabilities:
        order = np.argsort(row)[::-1][:k]
        ranked.append([Ranked(str(classes[i]), float(row[i])) for i in order])
    return ranked


def weighing_words(pipeline: Pipeline, text: str, category: str, n: int = 5) -> list[str]:
    """The words of ``text`` that weighed most for ``category``: those whose removal lowers its
    probability most (leave one word out, for a civil servant to see why, not to re-decide).
    Only words that pushed towards ``category``, never stop words."""
    words = meaningful_words(text)
    if not words or category not in pipeline.classes_:
        return []
    column = list(pipeline.classes_).index(category)
    without = [re.sub(rf"\b{re.escape(word)}\b", " ", text) for word in words]
    scores = pipeline.predict_proba([text, *without])[:, column]
    drops = scores[0] - scores[1:]
    order = np.argsort(drops)[::-1]
    return [words[i] for i in order[:n] if drops[i] > 0]
