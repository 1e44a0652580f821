"""The procedure finder's index: a resident's sentence, in any of the three languages, against
what each procedure is called and what residents say when they need it.

Each procedure is a bag of phrases: its names, keywords and life events from the catalogue and
the curated vocabulary (``data/finder/vocabulary.yaml``), all three languages together, so a
Dutch sentence finds a procedure whatever the page's language. A sentence is compared with the
procedure as a whole and with its closest phrase, in two TF-IDF spaces: Snowball stems (every
word stemmed as French, Dutch and English, so a misdetected language costs nothing) after
correcting unknown words to the nearest known one (rapidfuzz), and character 3-5-grams (accents
and typos). The catalogue's own lexical search adds its score, so short queries behave as before.
See docs/decisions/0013-procedure-finder.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

try:  # the lead adds snowballstemmer to the lock; without it, words are only cut at 6 letters
    import snowballstemmer
except ImportError:  # pragma: no cover - the fallback keeps the finder running
    snowballstemmer = None

STEMMER_LANGUAGES = {"fr": "french", "nl": "dutch", "en": "english"}
WORD = re.compile(r"[^\W_]+")

# Words that say nothing about which procedure is meant ("I want", "how do I", "my"...).
STOPWORDS = (
    frozenset(
        """a à au aux avec ce ces cet cette comment d de des du dans dois doit elle en est et etre
    être faire faut il ils j je l la le les leur lui m ma mais me mes moi mon n ne nous on ou où
    par pas peut peux plus pour qu que quel quelle quels qui s sa se ses si son sont sur t ta te
    tes ton tu un une vais veux voudrais vous y ai as avons avez ont suis sommes êtes c ça cela
    aan al als bij dan dat de deze die dit doe doen een en er ga gaan hem het hoe hun ik in is
    je kan kunnen maar me mee met mij mijn moet moeten na naar niet nog nu of om ons onze op
    over te tot u uit van voor was wat we welke wij wil willen word worden zal ze zij zijn zo
    zou an and are as at be been but by can could do does for from had has have he her his how
    am i if in into is it its me my need no not of on or our she so that the their them there
    they this to us was we what when where which who will with would you your want""".split()
    )
    | frozenset(
        # Brussels places and everyday fillers: they say where or when, never which procedure, and
        # left unknown they would make a fitting sentence look like one that fits nothing.
        """anderlecht auderghem oudergem berchem agathe agatha bruxelles brussel brussels ville stad
    city etterbeek evere forest vorst ganshoren ixelles elsene jette koekelberg molenbeek
    saint sint gilles gillis josse joost schaerbeek schaarbeek uccle ukkel watermael boitsfort
    watermaal bosvoorde woluwe lambert lambrecht pierre pieter laeken laken haren heembeek
    schuman aller gaan going go viens vient komt just juste depuis sinds since deux twee two
    ans jaar years très tres very zeer erg heel""".split()
    )
    | frozenset(
        # Words of searching itself ("je cherche", "ik zoek", "looking for", "the best"): they fit
        # every request, so alone they must not find a procedure (tuned on the development set).
        """cherche cherches chercher zoek zoeken looking look search best beste meilleur
    meilleure""".split()
    )
)


def normalise(text: str) -> str:
    """Lower case without accents: ``Déménagement`` → ``demenagement``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The words that carry meaning, normalised. Stop words are dropped before the accents,
    so the French "né" (born) stays while "ne" goes."""
    words = WORD.findall(text.casefold())
    return [normalise(w) for w in words if w not in STOPWORDS and len(w) > 1]


@cache
def _stemmer(language: str) -> object | None:
    if snowballstemmer is None:
        return None
    return snowballstemmer.stemmer(STEMMER_LANGUAGES[language])


@cache
def stems(word: str) -> tuple[str, ...]:
    """The word's stems as French, Dutch and English (often one and the same)."""
    found = []
    for language in STEMMER_LANGUAGES:
        stemmer = _stemmer(language)
        found.append(stemmer.stemWord(word) if stemmer is not None else word[:6])  # type: ignore[attr-defined]
    return tuple(dict.fromkeys(found))


def stemmed_words(text: str) -> list[str]:
    """The word analyser of the TF-IDF space: every word's stems (module level: pickled)."""
    return [stem for word in tokens(text) for stem in stems(word)]


def letters(text: str) -> str:
    """The text the character n-grams are taken from: normalised, without stop words."""
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Weights:
    """How the measures add up (tuned on the development set, never on the frozen set)."""

    whole_words: float = 1.0
    whole_chars: float = 0.5
    phrase_words: float = 1.0
    phrase_chars: float = 0.5
    lexical: float = 0.5
    threshold: float = 0.55  # under this best score, nothing fits: the life events are offered
    relative: float = 0.5  # a procedure scoring under this share of the first one is cut
    unknown_word: float = 1.0  # how much a word the finder does not know dilutes the score


@dataclass(frozen=True)
class Phrase:
    procedure_id: str
    text: str


@dataclass
class FinderIndex:
    """Everything needed to rank the procedures for a sentence; pickled into a ModelVersion."""

    procedure_ids: list[str]
    life_events: dict[str, list[str]]  # procedure id -> its life events, in catalogue order
    phrases: list[Phrase]
    weights: Weights
    known_words: list[str] = field(default_factory=list)
    _words: TfidfVectorizer | None = None
    _chars: TfidfVectorizer | None = None
    _whole: tuple[object, object] | None = None  # procedure x feature matrices
    _parts: tuple[object, object] | None = None  # phrase x feature matrices
    _owner: np.ndarray | None = None  # phrase row -> procedure column
    _idf: dict[str, float] | None = None  # stem -> its IDF weight in the word space

    def fit(self) -> FinderIndex:
        whole = [
            " . ".join(p.text for p in self.phrases if p.procedure_id == pid)
            for pid in self.procedure_ids
        ]
        parts = [p.text for p in self.phrases]
        self._words = TfidfVectorizer(analyzer=stemmed_words, sublinear_tf=True)
        self._chars = TfidfVectorizer(
            analyzer="char_wb", preprocessor=letters, ngram_range=(3, 5), sublinear_tf=True
        )
        self._words.fit(whole + parts)
        self._chars.fit(whole + parts)
        self._whole = (self._words.transform(whole), self._chars.transform(whole))
        self._parts = (self._words.transform(parts), self._chars.transform(parts))
        column = {pid: i for i, pid in enumerate(self.procedure_ids)}
        self._owner = np.array([column[p.procedure_id] for p in self.phrases])
        self.known_words = sorted({w for text in whole for w in tokens(text)})
        return self

    def corrected(self, text: str) -> str:
        """The sentence with each unknown word of 7+ letters replaced by the nearest known word
        with the same first letter (one or two letters off, and people rarely mistype the
        first), so "identiteitskaartt" counts as "identiteitskaart"; shorter words are too often
        another real word ("passee" is not "passed")."""
        known = set(self.known_words)
        words = []
        for word in tokens(text):
            if word not in known and len(word) >= 7:
                alike = [w for w in self.known_words if w[0] == word[0]]
                match = process.extractOne(word, alike, scorer=fuzz.ratio, score_cutoff=80)
                word = match[0] if match else word
            words.append(word)
        return " ".join(words)

    def scores(self, text: str, lexical: Mapping[str, float]) -> np.ndarray:
        """One score per procedure (``procedure_ids`` order) for ``text``; ``lexical`` is the
        catalogue search's score (0-1) by procedure id."""
        assert self._words is not None and self._chars is not None
        assert self._whole is not None and self._parts is not None and self._owner is not None
        w = self.weights
        word_query = self._words.transform([self.corrected(text)])
        char_query = normalize(self._chars.transform([text]))
        whole_words = (self._whole[0] @ word_query.T).toarray().ravel()
        whole_chars = (self._whole[1] @ char_query.T).toarray().ravel()
        parts_words = (self._parts[0] @ word_query.T).toarray().ravel()
        parts_chars = (self._parts[1] @ char_query.T).toarray().ravel()
        best_words = np.zeros(len(self.procedure_ids))
        best_chars = np.zeros(len(self.procedure_ids))
        np.maximum.at(best_words, self._owner, parts_words)
        np.maximum.at(best_chars, self._owner, parts_chars)
        lexical_row = np.array([lexical.get(pid, 0.0) for pid in self.procedure_ids])
        total = (
            w.whole_words * whole_words
            + w.whole_chars * whole_chars
            + w.phrase_words * best_words
            + w.phrase_chars * best_chars
            + w.lexical * lexical_row
        )
        return total * self.known_share(text)

    def known_share(self, text: str) -> float:
        """How much of the sentence the finder knows, 0-1: the TF-IDF weight of its known words
        against all its words, an unknown word weighing like the rarest known one (times
        ``unknown_word``). TF-IDF drops unknown words, so without it "je cherche une recette de
        gaufres" would be only "cherche" and fit looking for a job perfectly."""
        assert self._words is not None
        if self._idf is None:
            names = self._words.get_feature_names_out()
            self._idf = {
                str(stem): float(w) for stem, w in zip(names, self._words.idf_, strict=True)
            }
        idf = self._idf
        rarest = max(idf.values())
        known = unknown = 0.0
        for word in tokens(self.corrected(text)):
            weight = max((idf[s] for s in stems(word) if s in idf), default=0.0)
            if weight:
                known += weight**2
            else:
                unknown += self.weights.unknown_word * rarest**2
        return float(np.sqrt(known / (known + unknown))) if known else 0.0

    def rank(self, text: str, lexical: Mapping[str, float]) -> list[tuple[str, float]]:
        """Procedures that fit, best first, with their score; empty when nothing reaches the
        threshold. A procedure scoring far below the first (under ``relative`` of its score) is
        cut: it is noise, not a second answer."""
        if not tokens(text):
            return []
        scores = self.scores(text, lexical)
        order = np.argsort(-scores, kind="stable")
        if scores[order[0]] < self.weights.threshold:
            return []
        floor = max(self.weights.threshold, scores[order[0]] * self.weights.relative)
        return [(self.procedure_ids[i], float(scores[i])) for i in order if scores[i] >= floor]

    def life_events_for(self, ranked: Sequence[tuple[str, float]], limit: int = 2) -> list[str]:
        """The life events that fit: each gets the scores of its procedures among the first
        five, the first counted fully, the next ones less."""
        totals: dict[str, float] = {}
        for place, (procedure_id, score) in enumerate(ranked[:5]):
            for event in self.life_events.get(procedure_id, []):
                totals[event] = totals.get(event, 0.0) + score / (1 + place)
        ordered = sorted(totals, key=lambda event: -totals[event])
        return ordered[:limit]
