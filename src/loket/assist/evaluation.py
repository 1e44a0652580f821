"""Measuring a model on the frozen test set, per language: top-1 and top-3 accuracy, macro-F1,
the abstain rate at the threshold, the confusion matrix, and the gap between languages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import f1_score
from sklearn.pipeline import Pipeline

from loket.assist.classifier import rank
from loket.assist.corpus import Example
from loket.assist.language import LANGUAGES

TOP1_TARGET, TOP3_TARGET = 0.90, 0.98


def evaluate(pipeline: Pipeline, examples: Sequence[Example], threshold: float) -> dict[str, Any]:
    categories = sorted(str(c) for c in pipeline.classes_)
    ranked = rank(pipeline, [e.text for e in examples])
    per_language: dict[str, Any] = {}
    for language in LANGUAGES:
        rows = [(e, r) for e, r in zip(examples, ranked, strict=True) if e.language == language]
        if not rows:
            continue
        truth = [e.category for e, _r in rows]
        predicted = [r[0].category for _e, r in rows]
        confusion = {t: dict.fromkeys(categories, 0) for t in categories}
        for t, p in zip(truth, predicted, strict=True):
            confusion[t][p] += 1
        per_language[language] = {
            "examples": len(rows),
            "top1": sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(rows),
            "top3": sum(e.category in [x.category for x in r] for e, r in rows) / len(rows),
            "macro_f1": float(f1_score(truth, predicted, average="macro", labels=categories)),
            "abstain_rate": sum(r[0].confidence < threshold for _e, r in rows) / len(rows),
            "top1_when_answering": _accuracy_when_answering(rows, threshold),
            "confusion": confusion,
        }
    top1 = [figures["top1"] for figures in per_language.values()]
    return {
        "threshold": threshold,
        "categories": categories,
        "languages": per_language,
        "top1_gap": (max(top1) - min(top1)) if top1 else 0.0,
    }


def _accuracy_when_answering(rows: list[tuple[Example, Any]], threshold: float) -> float:
    answered = [(e, r) for e, r in rows if r[0].confidence >= threshold]
    if not answered:
        return 0.0
    return sum(e.category == r[0].category for e, r in answered) / len(answered)


def worse_than(
    new: dict[str, Any], old: dict[str, Any], measures: tuple[str, ...] = ("top1", "top3")
) -> str:
    """Why ``new`` is worse than ``old`` on the frozen set (one of ``measures`` of a language
    lower; the classifier's top-1 and top-3 by default), or "" when it is not worse."""
    reasons = []
    for language, before in old.get("languages", {}).items():
        after = new.get("languages", {}).get(language)
        if after is None:
            reasons.append(f"{language}: not measured")
            continue
        for measure in measures:
            if after[measure] + 1e-9 < before[measure]:
                reasons.append(f"{language} {measure} {after[measure]:.3f} < {before[measure]:.3f}")
    return "; ".join(reasons)


def meets_targets(evaluation: dict[str, Any]) -> bool:
    return all(
        figures["top1"] >= TOP1_TARGET and figures["top3"] >= TOP3_TARGET
        for figures in evaluation["languages"].values()
    )


def pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def markdown_report(evaluation: dict[str, Any], title: str, facts: dict[str, str]) -> str:
    """The evaluation as Markdown, for bench/results and for reading in a terminal."""
    lines = [f"# {title}", ""]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    lines += [f"- confidence threshold: {evaluation['threshold']:.2f}", ""]
    lines += [
        "| language | examples | top-1 | top-3 | macro-F1 | abstains | top-1 when it answers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for language, f in evaluation["languages"].items():
        lines.append(
            f"| {language} | {f['examples']} | {pct(f['top1'])} | {pct(f['top3'])} | "
            f"{f['macro_f1']:.3f} | {pct(f['abstain_rate'])} | {pct(f['top1_when_answering'])} |"
        )
    lines += ["", f"Gap in top-1 between languages: {evaluation['top1_gap'] * 100:.1f} points.",
              f"Targets (top-1 ≥ {TOP1_TARGET:.0%}, top-3 ≥ {TOP3_TARGET:.0%} in every "
              f"language): {'met' if meets_targets(evaluation) else 'NOT met'}.", ""]  # fmt: skip
    categories = evaluation["categories"]
    short = [c[:6] for c in categories]
    for language, f in evaluation["languages"].items():
        lines += [f"## Confusion matrix, {language} (rows: true category, columns: top-1)", ""]
        lines += ["| | " + " | ".join(short) + " |", "| --- |" + " ---: |" * len(short)]
        for truth in categories:
            cells = [str(f["confusion"][truth][p]) for p in categories]
            lines.append(f"| {truth} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
