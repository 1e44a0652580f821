"""Model motivations for decisions, per procedure and decision, in each language a case can be
in (``data/motivations.yaml``). The agent picks one on the case page and adapts it: it is a
start for the reasons the decision states, never the decision itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from loket.core.i18n import pick

MOTIVATIONS_FILE = Path(__file__).parent / "data" / "motivations.yaml"


@dataclass(frozen=True)
class MotivationModel:
    key: str  # "<decision>-<n>", stable for a given file: what the case page posts
    decision: str
    title: str
    text: str
    after_unanswered_request: bool = False  # fits only while a request stays unanswered


@cache
def _models() -> dict[str, Any]:
    with MOTIVATIONS_FILE.open(encoding="utf-8") as stream:
        loaded: dict[str, Any] = yaml.safe_load(stream)
    return loaded


def motivation_models(procedure_id: str, language: str, *, delivers: str) -> list[MotivationModel]:
    """The procedure's models, approvals first, with the defaults for what it ``delivers``
    (the catalogue's word: an answer with information is not a permit) for a decision it has
    none for; titles and texts in ``language`` (the case's)."""
    own = _models().get(procedure_id) or {}
    default = _models().get(f"default-{delivers}") or _models()["default"]
    found = []
    for decision in ("approved", "rejected"):
        for n, model in enumerate(own.get(decision) or default.get(decision) or []):
            found.append(
                MotivationModel(
                    key=f"{decision}-{n}",
                    decision=decision,
                    title=pick(model["title"], language),
                    text=pick(model["text"], language),
                    after_unanswered_request=bool(model.get("after_unanswered_request")),
                )
            )
    return found


def motivation_model(
    procedure_id: str, language: str, key: str, *, delivers: str
) -> MotivationModel | None:
    models = motivation_models(procedure_id, language, delivers=delivers)
    return next((m for m in models if m.key == key), None)
