"""The right of access: what every register holds about a person, read through the one door."""

from __future__ import annotations

from typing import Any

from loket.catalog.models import Procedure
from loket.core.models import User
from loket.sources.base import Actor, Subject
from loket.sources.door import consult_needs

ACCESS_PROCEDURE = "personal-data-access"


def what_registers_hold(user: User) -> tuple[dict[str, dict[str, Any]], tuple[str, ...], list[str]]:
    """Read every person attribute the access procedure declares; each read is logged.

    Returns the facts by source, the attributes in display order, and the attributes no
    register gave.
    """
    procedure = Procedure.objects.get(id=ACCESS_PROCEDURE)
    attributes = tuple(need["attribute"] for need in procedure.needs)
    subject = Subject("person", user.national_number or "")
    actor = Actor(user.pk, user.national_number or "", "self")
    facts, missing = consult_needs(subject, procedure, attributes, actor)
    return facts, attributes, missing
