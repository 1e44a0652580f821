"""``loket ai train incidents`` and ``loket ai evaluate``: build a model version from the
corpus and the confirmed reports, and print (and write to bench/results) its measures on the
frozen test set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.assist.actions import do_train
from loket.assist.evaluation import markdown_report
from loket.assist.models import ModelVersion
from loket.assist.selectors import INCIDENTS

RESULTS = Path(__file__).resolve().parents[5] / "bench" / "results" / "ai-incidents.md"


def report_of(version: ModelVersion) -> str:
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


class Command(BaseCommand):
    help = "Train and evaluate Loket's models (incidents: the report category classifier)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="train a new version; active if no worse")
        train.add_argument("task", choices=[INCIDENTS])
        evaluate = actions.add_parser("evaluate", help="print the active version's evaluation")
        evaluate.add_argument("task", nargs="?", default=INCIDENTS, choices=[INCIDENTS])
        evaluate.add_argument("--output", default=str(RESULTS), help="Markdown file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            version = do_train(options["task"])
            state = (
                "active" if version.active else f"kept inactive: {version.not_activated_because}"
            )
            self.stdout.write(
                f"{version} trained in {version.training_seconds:.1f} s on "
                f"{version.corpus_examples} corpus texts and {version.confirmed_reports} "
                f"confirmed reports; {state}"
            )
            return
        active = ModelVersion.objects.filter(task=options["task"], active=True).first()
        if active is None:
            raise CommandError("No active model: run `loket ai train incidents` first.")
        text = report_of(active)
        self.stdout.write(text)
        if options["output"]:
            output = Path(options["output"])
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"written to {output}")
