"""``loket ai train incidents|finder`` and ``loket ai evaluate [incidents|finder]``: build a model
version (the report classifier from the corpus and the confirmed reports; the procedure finder
from the catalogue and its vocabulary), and print (and write to bench/results) the active
versions' measures on their frozen test sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.assist.actions import do_train
from loket.assist.evaluation import markdown_report
from loket.assist.finder_evaluation import markdown_report as finder_report
from loket.assist.finding import FINDER
from loket.assist.models import ModelVersion
from loket.assist.selectors import INCIDENTS

RESULTS = Path(__file__).resolve().parents[5] / "bench" / "results" / "ai-incidents.md"
FINDER_RESULTS = RESULTS.with_name("ai-finder.md")
TASKS = [INCIDENTS, FINDER]


def report_of(version: ModelVersion) -> str:
    if version.task == FINDER:
        return finder_report_of(version)
    facts = {
        "model": f"{version} ({'active' if version.active else 'inactive'})",
        "trained on": f"{version.corpus_examples} corpus texts + {version.confirmed_reports} "
        "confirmed reports",
        "training time": f"{version.training_seconds:.1f} s",
        "corpus digest": str(version.evaluation.get("corpus_digest", "")),
        "scikit-learn": str(version.library_versions.get("scikit-learn", "")),
    }
    if version.not_activated_because:
        facts["not activated because"] = version.not_activated_because
    title = "Incident classifier: evaluation on the frozen test set"
    return markdown_report(version.evaluation, title, facts)


def finder_report_of(version: ModelVersion) -> str:
    facts = {
        "model": f"{version} ({'active' if version.active else 'inactive'})",
        "indexed": f"{version.corpus_examples} phrases (catalogue names, keywords, life events "
        "and the curated vocabulary)",
        "building time": f"{version.training_seconds:.1f} s",
        "score threshold": f"{version.threshold:.2f}",
        "data digest": str(version.evaluation.get("corpus_digest", "")),
        "scikit-learn": str(version.library_versions.get("scikit-learn", "")),
    }
    if version.not_activated_because:
        facts["not activated because"] = version.not_activated_because
    title = "Procedure finder: evaluation on the frozen set of situation sentences"
    return finder_report(version.evaluation, title, facts)


class Command(BaseCommand):
    help = (
        "Train and evaluate Loket's models (incidents: the report category classifier; "
        "finder: the procedure finder)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="train a new version; active if no worse")
        train.add_argument("task", choices=TASKS)
        evaluate = actions.add_parser("evaluate", help="print the active versions' evaluation")
        evaluate.add_argument("task", nargs="?", choices=TASKS, help="one task (default: all)")
        evaluate.add_argument("--output", default=str(RESULTS), help="incidents: file to write")
        evaluate.add_argument(
            "--finder-output", default=str(FINDER_RESULTS), help="finder: file to write"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            version = do_train(options["task"])
            state = (
                "active" if version.active else f"kept inactive: {version.not_activated_because}"
            )
            learnt = (
                f"{version.corpus_examples} phrases"
                if version.task == FINDER
                else f"{version.corpus_examples} corpus texts and {version.confirmed_reports} "
                "confirmed reports"
            )
            self.stdout.write(
                f"{version} trained in {version.training_seconds:.1f} s on {learnt}; {state}"
            )
            return
        tasks = [options["task"]] if options["task"] else TASKS
        outputs = {INCIDENTS: options["output"], FINDER: options["finder_output"]}
        evaluated = 0
        for task in tasks:
            active = ModelVersion.objects.filter(task=task, active=True).first()
            if active is None:
                self.stdout.write(f"No active {task} model: run `loket ai train {task}` first.")
                continue
            evaluated += 1
            text = report_of(active)
            self.stdout.write(text)
            if outputs[task]:
                output = Path(outputs[task])
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text + "\n", encoding="utf-8")
                self.stdout.write(f"written to {output}")
        if not evaluated:
            raise CommandError("No active model: run `loket ai train incidents|finder` first.")
