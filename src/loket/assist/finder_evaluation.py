"""Measuring the procedure finder on a set of situation sentences, per language: recall@1 and
recall@3 (an expected procedure among the first one or three), the mean reciprocal rank, the
life event offered first, and whether a sentence that fits nothing is left unanswered (on the
development set and on the frozen no-fit set)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from loket.assist.evaluation import pct
from loket.assist.evaluation import worse_than as classifier_worse_than
from loket.assist.finder import FinderIndex
from loket.assist.finder_corpus import Situation, lexical_scores
from loket.assist.language import LANGUAGES

RECALL3_TARGET = 0.90


def _measure(index: FinderIndex, situation: Situation) -> dict[str, Any]:
    ranked = index.rank(situation.text, lexical_scores(situation.text))
    ids = [procedure_id for procedure_id, _score in ranked]
    if situation.fits_nothing:
        return {"nothing": True, "quiet": not ids}
    places = [ids.index(p) + 1 for p in situation.procedures if p in ids]
    first = min(places) if places else 0
    events = index.life_events_for(ranked, limit=1)
    return {
        "nothing": False,
        "rank": first,
        "event": bool(events) and events[0] in situation.life_events,
        "top": ids[:3],
    }


def evaluate_finder(index: FinderIndex, examples: Sequence[Situation]) -> dict[str, Any]:
    measured = [(s, _measure(index, s)) for s in examples]
    per_language: dict[str, Any] = {}
    misses: list[dict[str, Any]] = []
    for language in LANGUAGES:
        rows = [(s, m) for s, m in measured if s.language == language and not m["nothing"]]
        quiet = [m["quiet"] for s, m in measured if s.language == language and m["nothing"]]
        if not rows:
            continue
        ranks = [m["rank"] for _s, m in rows]
        per_language[language] = {
            "examples": len(rows),
            "recall1": sum(r == 1 for r in ranks) / len(rows),
            "recall3": sum(1 <= r <= 3 for r in ranks) / len(rows),
            "mrr": sum(1 / r for r in ranks if r) / len(rows),
            "life_event1": sum(m["event"] for _s, m in rows) / len(rows),
            "no_match_quiet": (sum(quiet) / len(quiet)) if quiet else None,
        }
        misses += [
            {"language": language, "text": s.text, "expected": list(s.procedures),
             "found": m["top"]}
            for s, m in rows if not 1 <= m["rank"] <= 3
        ]  # fmt: skip
    return {"languages": per_language, "misses": misses}


def evaluate_no_fit(index: FinderIndex, examples: Sequence[Situation]) -> dict[str, Any]:
    """Per language, how many sentences that fit no procedure get no answer (the share)."""
    per_language: dict[str, Any] = {}
    for language in LANGUAGES:
        quiet = [_measure(index, s)["quiet"] for s in examples if s.language == language]
        if quiet:
            per_language[language] = {"examples": len(quiet), "quiet": sum(quiet) / len(quiet)}
    return {"languages": per_language}


def in_order(per_language: dict[str, Any]) -> list[tuple[str, Any]]:
    """The figures in Loket's order of languages (PostgreSQL's jsonb does not keep key order)."""
    return [(lang, per_language[lang]) for lang in LANGUAGES if lang in per_language]


def worse_than(new: dict[str, Any], old: dict[str, Any]) -> str:
    """Why ``new`` is worse than ``old`` on the frozen set (recall@3 or MRR of a language
    lower), or "" when it is not worse."""
    return classifier_worse_than(new, old, ("recall3", "mrr"))


def meets_target(figures: dict[str, Any]) -> bool:
    return all(f["recall3"] >= RECALL3_TARGET for f in figures["languages"].values())


def _table(figures: dict[str, Any]) -> list[str]:
    lines = [
        "| language | sentences | recall@1 | recall@3 | MRR | life event first |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for language, f in in_order(figures["languages"]):
        lines.append(
            f"| {language} | {f['examples']} | {pct(f['recall1'])} | {pct(f['recall3'])} | "
            f"{f['mrr']:.3f} | {pct(f['life_event1'])} |"
        )
    return lines


def markdown_report(evaluation: dict[str, Any], title: str, facts: dict[str, str]) -> str:
    """Both sets' figures as Markdown, for bench/results and for reading in a terminal."""
    lines = [f"# {title}", ""]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    lines += ["", "## Frozen test set (never tuned on)", "", *_table(evaluation)]
    lines += ["", f"Target (recall@3 ≥ {RECALL3_TARGET:.0%} in every language): "
              f"{'met' if meets_target(evaluation) else 'NOT met'}.", ""]  # fmt: skip
    development = evaluation.get("development")
    if development:
        lines += ["## Development set (the weights were tuned on it)", "", *_table(development)]
        quiet = [
            f"{language} {pct(f['no_match_quiet'])}"
            for language, f in in_order(development["languages"])
            if f.get("no_match_quiet") is not None
        ]
        if quiet:
            lines += ["", "Sentences that fit no procedure left unanswered: " + ", ".join(quiet)]
        lines.append("")
    independent = evaluation.get("independent")
    if independent:
        lines += ["## Independent check (written by another person, after the fact; never tuned "
                  "on)", "", *_table(independent), ""]  # fmt: skip
    no_fit = evaluation.get("no_fit")
    if no_fit:
        lines += ["## No-fit set (sentences that fit no procedure; frozen, never tuned on)", ""]
        lines += ["| language | sentences | left unanswered |", "| --- | ---: | ---: |"]
        lines += [
            f"| {language} | {f['examples']} | {pct(f['quiet'])} |"
            for language, f in in_order(no_fit["languages"])
        ]
        lines.append("")
    if evaluation.get("misses"):
        lines += ["## Frozen-set sentences not found in the first three", ""]
        lines += [
            f"- {m['language']}: “{m['text']}” — expected {', '.join(m['expected'])}; "
            f"found {', '.join(m['found']) or 'nothing'}"
            for m in evaluation["misses"]
        ]
        lines.append("")
    return "\n".join(lines)
