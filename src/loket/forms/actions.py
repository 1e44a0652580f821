"""Writes on drafts: start, prefill from registers (through the one door), decline, answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from loket.catalog.models import Procedure
from loket.core.models import User
from loket.forms.definitions import FormDefinition
from loket.forms.models import Draft
from loket.sources.base import Actor, Subject
from loket.sources.door import consult_needs


def get_or_start_draft(user: User, procedure: Procedure, definition: FormDefinition) -> Draft:
    draft, _created = Draft.objects.get_or_create(
        user=user, procedure=procedure, defaults={"definition_version": definition.version}
    )
    return draft


def do_prefill(draft: Draft, definition: FormDefinition, actor: Actor) -> Draft:
    """Read the definition's facts for the applicant, each under its declared purpose."""
    subject = Subject("person", draft.user.national_number or "")
    facts, missing = consult_needs(subject, draft.procedure, definition.facts, actor)
    draft.consented = True
    draft.facts = facts
    draft.unavailable = missing
    draft.save()
    return draft


def do_decline_prefill(draft: Draft, definition: FormDefinition) -> Draft:
    """The applicant prefers to type: no register is read, every fact becomes a question."""
    draft.consented = False
    draft.facts = {}
    draft.unavailable = list(definition.facts)
    draft.save()
    return draft


def do_save_answers(draft: Draft, cleaned: dict[str, Any]) -> Draft:
    draft.answers = {**draft.answers, **{k: _jsonable(v) for k, v in cleaned.items()}}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value.isoformat() if isinstance(value, date) else value


def missing_pages(draft: Draft, definition: FormDefinition) -> list[str]:
    return [
        page.id
        for page in definition.pages
        if any(f.required and f.name not in draft.answers for f in page.fields)
    ]
