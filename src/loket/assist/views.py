"""The public register of Loket's algorithms, in the manner of Amsterdam's and Helsinki's: what
each model is for, what it learns from, where a person decides, how well it does per language
(read from the active version's stored evaluation, never typed) and in live use (counted from
the recorded suggestions), its limits, and whom to ask or complain to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from loket.assist.evaluation import TOP1_TARGET, TOP3_TARGET
from loket.assist.finder_evaluation import RECALL3_TARGET, in_order
from loket.assist.finding import FINDER
from loket.assist.models import ModelVersion
from loket.assist.selectors import INCIDENTS, live_figures
from loket.incidents.selectors import category_labels

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


@require_GET
def algorithms(request: HttpRequest) -> HttpResponse:
    version = ModelVersion.objects.filter(task=INCIDENTS, active=True).first()
    rows = []
    if version is not None:
        for language, figures in in_order(version.evaluation.get("languages", {})):
            rows.append({
                "language": language, "language_name": LANGUAGE_NAMES.get(language, language),
                "examples": figures["examples"], "top1": round(figures["top1"] * 100, 1),
                "top3": round(figures["top3"] * 100, 1), "macro_f1": round(figures["macro_f1"], 3),
                "abstain": round(figures["abstain_rate"] * 100, 1),
            })  # fmt: skip
    statements = settings.LOKET_STATEMENTS
    return render(
        request,
        "assist/algorithms.html",
        {
            "version": version,
            "rows": rows,
            # from the rounded figures of the table, so that the reader's subtraction agrees
            "gap": round(max(r["top1"] for r in rows) - min(r["top1"] for r in rows), 1)
            if rows
            else 0,
            "live": live_figures(),
            "operator": statements.operator,
            "operator_is_demo": statements.operator_is_demo,
            "dpo_email": statements.dpo_email,
            "dpo_is_demo": statements.dpo_is_demo,
            "threshold": round(version.threshold * 100) if version else 0,
            "categories": sorted(category_labels().values()),
            "top1_target": round(TOP1_TARGET * 100),
            "top3_target": round(TOP3_TARGET * 100),
            **finder_entry(),
        },
    )


def _percent(value: float) -> float:
    return round(value * 100, 1)


def _finder_rows(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "language": language, "language_name": LANGUAGE_NAMES.get(language, language),
            "examples": figures["examples"], "recall1": _percent(figures["recall1"]),
            "recall3": _percent(figures["recall3"]), "mrr": round(figures["mrr"], 3),
            "life_event1": _percent(figures["life_event1"]),
        }
        for language, figures in in_order(evaluation.get("languages", {}))
    ]  # fmt: skip


def finder_entry() -> dict[str, object]:
    """The procedure finder's figures, read from its active version's stored evaluation: the
    frozen set, the independent check, and the sentences that fit no procedure."""
    version = ModelVersion.objects.filter(task=FINDER, active=True).first()
    evaluation = version.evaluation if version is not None else {}
    no_fit = [
        {"language": language, "language_name": LANGUAGE_NAMES.get(language, language),
         "examples": figures["examples"], "quiet": _percent(figures["quiet"])}
        for language, figures in in_order(evaluation.get("no_fit", {}).get("languages", {}))
    ]  # fmt: skip
    return {
        "finder": version,
        "finder_rows": _finder_rows(evaluation),
        "finder_independent_rows": _finder_rows(evaluation.get("independent", {})),
        "finder_no_fit_rows": no_fit,
        "recall3_target": round(RECALL3_TARGET * 100),
    }
