"""Access-log entries told in plain words, for the person whose data was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from loket.audit.models import NEWEST_FIRST, AccessLogEntry
from loket.audit.subjects import person_pseudonym, subject_pseudonyms
from loket.cases.actions import PERSON_SEARCH_PURPOSES
from loket.catalog.models import Procedure
from loket.certificates.content import KINDS
from loket.certificates.content import PURPOSE as CERTIFICATE_PURPOSE
from loket.certificates.selectors import verifications_of_certificates_held_by
from loket.core.i18n import pick
from loket.core.models import Administration, User
from loket.sources.catalogue import attribute_label, source_name


@dataclass(frozen=True)
class Filters:
    source: str = ""
    administration: str = ""
    since: date | None = None
    until: date | None = None


def entries_about(
    user: User, filters: Filters, *, limit: int, skip: int = 0
) -> list[AccessLogEntry]:
    """The entries about ``user`` that pass ``filters``, newest first: ``limit`` of them after
    the ``skip`` newest.

    Each of the person's pseudonyms is read as its own range of the index on (subject_pseudonym,
    -leaf_index), newest first and cut at ``skip + limit``, and the ranges are merged. The cost
    follows the person's entries and never the log's size, whatever the planner's statistics:
    ordered by ``leaf_index DESC`` (with ``IN`` or ``=``), stale statistics made it walk the
    unique index on leaf_index backwards through everyone's entries instead; ordered by the
    expression ``-leaf_index``, only the subject index gives the order. SQLite allows no LIMIT
    inside a UNION, and keeps no statistics to go stale: there, one query with ``IN``.
    """
    wanted = skip + limit
    subjects = subject_pseudonyms(user)
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: one query
        merged = _filtered(AccessLogEntry.objects.filter(subject_pseudonym__in=subjects), filters)
        return list(merged.order_by("-leaf_index")[skip:wanted])
    ranges = [
        _filtered(AccessLogEntry.objects.filter(subject_pseudonym=subject), filters)
        .alias(newest_first=NEWEST_FIRST)
        .order_by("newest_first")[:wanted]
        for subject in subjects
    ]
    merged = ranges[0].union(*ranges[1:], all=True) if len(ranges) > 1 else ranges[0]
    return list(merged.order_by("-leaf_index")[skip:wanted])


def _filtered(entries: QuerySet[AccessLogEntry], filters: Filters) -> QuerySet[AccessLogEntry]:
    if filters.source:
        entries = entries.filter(source=filters.source)
    if filters.administration:
        entries = entries.filter(administration_id=filters.administration)
    if filters.since:
        entries = entries.filter(created_at__date__gte=filters.since)
    if filters.until:
        entries = entries.filter(created_at__date__lte=filters.until)
    return entries


def describe(entries: list[AccessLogEntry]) -> list[dict[str, Any]]:
    """One plain sentence per entry, plus the parts for a table or a CSV file."""
    procedures = Procedure.objects.in_bulk({e.procedure_id for e in entries})
    administrations = Administration.objects.in_bulk({e.administration_id for e in entries})
    agents = _agent_names([e for e in entries if _is_download(e)])
    rows = []
    for entry in entries:
        procedure = procedures.get(entry.procedure_id)
        administration = administrations.get(entry.administration_id)
        who = administration.name if administration else _("your municipality")
        data = ", ".join(attribute_label(f"{entry.source}.{a}") for a in entry.attributes)
        need = procedure.need(f"{entry.source}.{entry.attributes[0]}") if procedure else None
        legal_basis = pick(need["legal_basis"]) if need else ""
        if entry.source == "case":
            legal_basis = _("GDPR Art. 6(1)(e): handling the application you made.")
        when = timezone.localtime(entry.created_at)
        parts = {
            "date": formats.date_format(when, "DATE_FORMAT"),
            "time": formats.time_format(when, "TIME_FORMAT"),
            "who": who,
            "data": data,
            "source": source_name(entry.source),
            "procedure": procedure.name if procedure else entry.procedure_id,
            "case": entry.case_reference,
            "agent": agents.get(entry.actor_pseudonym) or _("an agent"),
        }
        rows.append(
            {
                "entry": entry,
                "sentence": _sentence(entry, parts),
                "legal_basis": legal_basis,
                **parts,
            }
        )
    return rows


def _is_download(entry: AccessLogEntry) -> bool:
    """A document of the person's case downloaded by an agent (``do_record_document_download``),
    rather than the case opened."""
    return entry.source == "case" and entry.purpose == "document-copy"


def _agent_names(entries: list[AccessLogEntry]) -> dict[str, str]:
    """The names of the agents behind these entries, by pseudonym: the log holds only
    pseudonyms, so they are matched against the members of the administrations concerned."""
    if not entries:
        return {}
    members = User.objects.filter(
        memberships__administration_id__in={e.administration_id for e in entries}
    ).distinct()
    wanted = {e.actor_pseudonym for e in entries}
    names = {person_pseudonym(member): member.display_name for member in members}
    return {key: name for key, name in names.items() if key in wanted}


def _sentence(entry: AccessLogEntry, parts: dict[str, str]) -> str:
    if entry.source == "case" and entry.attributes == ["search"]:
        reason = PERSON_SEARCH_PURPOSES.get(entry.purpose, entry.purpose)
        return _(
            "On %(date)s at %(time)s, an agent of %(who)s looked up your cases by your national "
            "number. Reason given: %(reason)s."
        ) % {**parts, "reason": str(reason).lower()}
    if entry.source == "case" and entry.attributes == ["search-by-name"]:
        if entry.purpose in PERSON_SEARCH_PURPOSES:
            return _(
                "On %(date)s at %(time)s, an agent of %(who)s found your cases by searching for "
                "your name. Reason given: %(reason)s."
            ) % {**parts, "reason": str(PERSON_SEARCH_PURPOSES[entry.purpose]).lower()}
        return (
            _(
                "On %(date)s at %(time)s, an agent of %(who)s found your cases by searching "
                "for your name."
            )
            % parts
        )
    if _is_download(entry) and entry.actor_role == AccessLogEntry.ActorRole.COUNTER:
        text = _(
            "On %(date)s at %(time)s, %(data)s (case %(case)s, %(procedure)s) was downloaded at "
            "the counter of %(who)s by %(agent)s, to hand it to you."
        )
    elif _is_download(entry):
        text = _(
            "On %(date)s at %(time)s, %(data)s (case %(case)s, %(procedure)s) was downloaded in "
            "the back-office of %(who)s by %(agent)s."
        )
    elif entry.source == "case":
        text = _(
            "On %(date)s at %(time)s, an agent of %(who)s opened your case %(case)s "
            "(%(procedure)s) to handle it."
        )
    elif entry.actor_role == AccessLogEntry.ActorRole.AGENT:
        text = _(
            "On %(date)s at %(time)s, an agent of %(who)s consulted the register “%(source)s” "
            "to handle your application “%(procedure)s”: %(data)s."
        )
    elif entry.actor_role == AccessLogEntry.ActorRole.COUNTER:
        text = _(
            "On %(date)s at %(time)s, an agent at the counter of %(who)s, entering your "
            "application with you, consulted the register “%(source)s” for “%(procedure)s”: "
            "%(data)s."
        )
    elif entry.actor_role == AccessLogEntry.ActorRole.GRANTOR:
        text = _(
            "On %(date)s at %(time)s, a person about to give you a mandate for “%(procedure)s” "
            "read your name in the register “%(source)s”, to make sure the mandate names you: "
            "%(data)s."
        )
    elif entry.actor_role == AccessLogEntry.ActorRole.HELPER:
        text = _(
            "On %(date)s at %(time)s, a helper acting under your mandate consulted the register "
            "“%(source)s” for “%(procedure)s”, on behalf of %(who)s: %(data)s."
        )
    else:
        text = _(
            "On %(date)s at %(time)s, at your request, %(who)s consulted the register "
            "“%(source)s” for “%(procedure)s”: %(data)s."
        )
    sentence = text % parts
    if entry.case_reference and entry.source != "case":
        sentence += " " + _("Case %(case)s.") % parts
    if entry.purpose == CERTIFICATE_PURPOSE:
        sentence += " " + _("This data was read to issue the certificate you asked for.")
    if entry.outcome == AccessLogEntry.Outcome.UNAVAILABLE:
        sentence += " " + _("The register did not answer; nothing was read.")
    return sentence


def certificate_checks(user: User, limit: int = 200) -> list[str]:
    """Each verification of a certificate the person holds, as one plain sentence."""
    sentences = []
    for check in verifications_of_certificates_held_by(user)[:limit]:
        certificate = check.certificate
        kind = KINDS.get(certificate.kind)
        when = timezone.localtime(check.at)
        sentences.append(
            _(
                "Your %(kind)s no. %(number)s was checked on %(date)s at %(time)s through "
                "%(channel)s. Result: %(outcome)s."
            )
            % {
                "kind": str(kind.title).lower() if kind else certificate.kind,
                "number": certificate.number,
                "date": formats.date_format(when, "DATE_FORMAT"),
                "time": formats.time_format(when, "TIME_FORMAT"),
                "channel": check.get_channel_display(),
                "outcome": check.get_outcome_display(),
            }
        )
    return sentences
