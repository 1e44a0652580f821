"""A case's history as its readers see it. An entry written by another app (a payment started,
a refund due) is stored as a code and its parameters and rendered in the reader's language when
shown: a Dutch-speaking agent reads a French case's payments in Dutch. The text written at the
time (in the case's language) stays in ``note``, for entries whose code no app renders (older
entries, or an app removed) and for the API and archives, which give it as it was written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from loket.cases.models import CaseEvent

NoteRenderer = Callable[[Mapping[str, Any]], str]

RENDERERS: dict[str, NoteRenderer] = {}


def register_note(code: str, render: NoteRenderer) -> None:
    """Render history entries coded ``code`` (with their parameters) in the active language."""
    RENDERERS[code] = render


def note_text(event: CaseEvent) -> str:
    """The entry's note in the active language when its code is known, else as written."""
    render = RENDERERS.get(event.note_code)
    if render is None:
        return event.note
    try:
        return render(event.note_params)
    except (KeyError, TypeError, ValueError):  # parameters of an older shape: as written
        return event.note


def note_language(event: CaseEvent) -> str:
    """The language of :func:`note_text`: empty (the reader's) when its code is rendered, else
    the case's, in which the note was written. A page marks it (``lang``) so that a Dutch note
    on a French page is read, and typeset, as Dutch."""
    if event.note_code in RENDERERS:
        return ""
    return event.case.language or ""


def history(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """The events in order, each marked ``repeats_status`` when it records something (a payment
    started, a certificate revoked) without changing the status: the status is not printed
    again."""
    shown = list(events)
    previous = None
    for event in shown:
        event.repeats_status = event.kind == CaseEvent.Kind.STATUS and event.status == previous
        if event.kind != CaseEvent.Kind.ASSIGNMENT:
            previous = event.status
    return shown
