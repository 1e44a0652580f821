"""Writes on drafts: start, prefill from registers (through the one door), decline, answer."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from loket.catalog.models import Procedure
from loket.core.models import User
from loket.forms.definitions import FormDefinition
from loket.forms.models import Draft
from loket.sources.base import Actor, Purpose, Subject
from loket.sources.door import consult


def get_or_start_draft(user: User, procedure: Procedure, definition: FormDefinition) -> Draft:
    draft, _created = Draft.objects.get_or_create(
        user=user, procedure=procedure, defaults={"definition_version": definition.version}
    )
    return draft


def do_prefill(draft: Draft, definition: FormDefinition, actor: Actor) -> Draft:
    """Read the definition's facts for the applicant, one consult() per declared purpose."""
    by_purpose: dict[str, list[str]] = defaultdict(list)
    for attribute in definition.facts:
        need = draft.procedure.need(attribute)
        if need is None:
            raise ValueError(f"{draft.procedure_id}: fact {attribute} is not a declared need")
        by_purpose[need["purpose"]].append(attribute)
    subject = Subject("person", draft.user.national_number or "")
    facts: dict[str, dict[str, Any]] = {}
    unavailable: list[str] = []
    for purpose, attributes in by_purpose.items():
        answers = consult(subject, attributes, Purpose(draft.procedure_id, purpose), actor)
        for source_id, answer in answers.items():
            if answer.unavailable:
                unavailable.extend(a for a in attributes if a.startswith(f"{source_id}."))
            else:
                facts.setdefault(source_id, {}).update(answer.attributes)
    draft.consented = True
    draft.facts = facts
    draft.unavailable = unavailable
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
