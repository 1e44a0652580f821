"""Writes on drafts: start, prefill from registers (through the one door), decline, answer."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from loket.catalog.models import Procedure
from loket.core.identifiers import pseudonym
from loket.core.models import User
from loket.core.prepared import PreparedInstance
from loket.doors.models import Door
from loket.forms.definitions import DefinitionError, FormDefinition, get_definition, load_text
from loket.forms.fields import build_field
from loket.forms.models import DefinitionVersion, Draft
from loket.forms.once_only import check as check_once_only
from loket.sources.base import Actor, Subject, SubjectKind
from loket.sources.door import consult_needs
from loket.sources.registry import subject_kind_of

logger = logging.getLogger("loket.forms")


def get_or_start_draft(
    user: User, procedure: Procedure, definition: FormDefinition, door: Door | None = None
) -> Draft:
    """The person's draft of the procedure, started now (through ``door``) if there is none:
    one draft per procedure, whichever door it is continued on."""
    draft = _DRAFT.first(user.pk, procedure.pk)  # every step reads it: compiled once
    if draft is None:
        draft, _created = Draft.objects.get_or_create(
            user=user,
            procedure=procedure,
            defaults={"definition_version": definition.version, "door": door},
        )
    draft.user, draft.procedure = user, procedure  # known already: no second read
    return draft


_DRAFT = PreparedInstance(
    Draft,
    lambda user_id, procedure_id: Draft.objects.filter(user_id=user_id, procedure_id=procedure_id),
    kinds=(int, str),
)


def do_prefill(draft: Draft, definition: FormDefinition, actor: Actor) -> Draft:
    """Read the definition's facts, each under its declared purpose: the person's own data, and
    their enterprise's for the attributes of the enterprise register. A helper reads only the
    principal their mandate names (``actor.acting_for``); any other fact becomes a question.
    Only a register that did not answer goes into ``draft.unanswered``: a person without an
    enterprise, or unknown to a register, has nothing held there, which is no failure."""
    facts: dict[str, Any] = {}
    missing: list[str] = []
    unanswered: list[str] = []
    subjects: tuple[tuple[SubjectKind, str], ...] = (
        ("person", draft.user.national_number or ""),
        ("enterprise", draft.user.enterprise_number),
    )
    for kind, identifier in subjects:
        wanted = [a for a in definition.facts if subject_kind_of(a) == kind]
        if not wanted:
            continue
        if not identifier or (
            actor.role in ("helper", "counter") and identifier != actor.acting_for
        ):
            missing.extend(wanted)
            continue
        read = consult_needs(Subject(kind, identifier), draft.procedure, wanted, actor)
        facts.update(read.facts)
        missing.extend(read.missing)
        unanswered.extend(read.unanswered)
    draft.consented = True
    draft.facts = facts
    draft.unavailable = missing
    draft.unanswered = unanswered
    draft.save()
    return draft


def do_decline_prefill(draft: Draft, definition: FormDefinition) -> Draft:
    """The applicant prefers to type: no register is read, every fact becomes a question."""
    draft.consented = False
    draft.facts = {}
    draft.unavailable = list(definition.facts)
    draft.unanswered = []
    draft.save()
    return draft


def do_read_after_all(draft: Draft, attribute: str, actor: Actor) -> bool:
    """One who declined the registers (or whose register did not answer) asks for one fact
    after all, their address say: it is read through the door under the procedure's declared
    purpose, and no longer typed. False when the register holds nothing or did not answer (the
    person types it, as before). Only the applicant's own data, or the principal's for a helper."""
    identifier = draft.user.national_number or ""
    if subject_kind_of(attribute) != "person" or not identifier:
        return False
    if actor.role in ("helper", "counter") and identifier != actor.acting_for:
        return False
    read = consult_needs(Subject("person", identifier), draft.procedure, [attribute], actor)
    if attribute in read.missing:
        return False
    source_id, name = attribute.split(".", 1)
    draft.facts = {
        **draft.facts,
        source_id: {**draft.facts.get(source_id, {}), name: read.facts[source_id][name]},
    }
    draft.unavailable = [a for a in draft.unavailable if a != attribute]
    draft.unanswered = [a for a in draft.unanswered if a != attribute]
    declared = draft.answers.get("declared") or {}
    if declared:  # what was typed for it goes: the register's answer is the one kept
        kept = {k: v for k, v in declared.items() if not k.startswith(f"{attribute}.")}
        draft.answers = {**draft.answers, "declared": kept}
    draft.save()
    return True


def do_delete_draft(draft: Draft, by: User) -> None:
    """The person (or their helper, under a mandate the caller checked) throws a draft away:
    its answers and the facts read for it go; the cases already sent are not touched. Logged
    with who deleted whose draft (pseudonyms), for the person's questions and the DPO's."""
    logger.info(
        "draft-deleted procedure=%s owner=%s by=%s",
        draft.procedure_id, _pseudonym(draft.user)[:12], _pseudonym(by)[:12],
    )  # fmt: skip
    draft.delete()


def _pseudonym(user: User) -> str:
    """As the access log names a person (``audit.subjects.person_pseudonym``)."""
    return pseudonym(user.national_number or f"user:{user.pk}")


def do_save_answers(draft: Draft, cleaned: dict[str, Any]) -> Draft:
    draft.answers = {**draft.answers, **{k: _jsonable(v) for k, v in cleaned.items()}}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value.isoformat() if isinstance(value, date) else value


def missing_pages(draft: Draft, definition: FormDefinition) -> list[str]:
    """The visible pages that still lack a required answer, in order."""
    answers = draft.answers
    missing = []
    for page in definition.visible_pages(answers):
        for field in page.fields:
            applies = field.show_if is None or field.show_if.holds(answers)
            empty = answers.get(field.name) in (None, "", [], {})
            if field.required and applies and empty and field.type != "group":
                missing.append(page.id)
                break
    return missing


def outdated_pages(draft: Draft, definition: FormDefinition) -> list[str]:
    """The visible pages with a date answered earlier that today's bounds no longer accept (a
    collection day saved a week ago may now fall before the answer deadline), in order."""
    answers = draft.answers
    deadline = draft.procedure.answer_deadline(timezone.localdate())
    outdated = []
    for page in definition.visible_pages(answers):
        for field in page.fields:
            value = answers.get(field.name)
            if field.type != "date" or not isinstance(value, str) or not value:
                continue
            if field.show_if is not None and not field.show_if.holds(answers):
                continue
            try:
                build_field(field, {}, deadline).validate(date.fromisoformat(value))
            except (ValidationError, ValueError):
                outdated.append(page.id)
                break
    return outdated


class DefinitionRefused(Exception):
    """A service designer's definition was not published; ``problems`` say why, each naming
    the procedure and, where it applies, the page and the field."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def do_publish_definition(procedure: Procedure, source: str, designer: User) -> DefinitionVersion:
    """Check a new version of a procedure's form and publish it as the next version."""
    current = get_definition(procedure.id)
    next_version = (current.version if current else 0) + 1
    try:
        definition = load_text(source, f"{procedure.id} version {next_version}", procedure.id)
    except DefinitionError as problem:
        raise DefinitionRefused(problem.problems) from None
    if definition.version != next_version:
        raise DefinitionRefused(f"{procedure.id}: the version must be {next_version}")
    problems = check_once_only(procedure, definition).duplicates
    if problems:
        raise DefinitionRefused([f"{procedure.id}: {problem}" for problem in problems])
    try:
        with transaction.atomic():
            return DefinitionVersion.objects.create(
                procedure=procedure, version=next_version, source=source, created_by=designer
            )
    except IntegrityError:
        raise DefinitionRefused(
            f"{procedure.id}: someone published version {next_version} meanwhile"
        ) from None
