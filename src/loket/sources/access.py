"""The right of access: what every register holds about a person, read through the one door."""

from __future__ import annotations

from loket.catalog.models import Procedure
from loket.core.models import User
from loket.sources.base import Actor, Subject
from loket.sources.door import NeedsRead, consult_needs

ACCESS_PROCEDURE = "personal-data-access"


def what_registers_hold(user: User) -> tuple[NeedsRead, tuple[str, ...]]:
    """Read every person attribute the access procedure declares; each read is logged.

    Returns what was read (the facts, what no register gave, and what a register that did not
    answer could not give) and the attributes in display order.
    """
    procedure = Procedure.objects.get(id=ACCESS_PROCEDURE)
    attributes = tuple(need["attribute"] for need in procedure.needs)
    subject = Subject("person", user.national_number or "")
    actor = Actor(user.pk, user.national_number or "", "self")
    return consult_needs(subject, procedure, attributes, actor), attributes
