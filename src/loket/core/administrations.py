"""The administrations (the region's bodies and the 19 municipalities), held in memory by every
process: their names are printed on most pages (fees, procedures, doors) and change a few times
a year. Invalidated across processes like the catalogue (core.versioned)."""

from __future__ import annotations

from collections.abc import Iterable

from loket.core.models import Administration
from loket.core.versioned import VersionedReference


def _load() -> dict[str, Administration]:
    return {administration.pk: administration for administration in Administration.objects.all()}


administrations = VersionedReference("administrations", _load)
administrations.follow(Administration)


def held_administrations() -> dict[str, Administration]:
    """Every administration by id, in the model's order (regional bodies, then municipalities).
    Shared by the requests of a process: read it, never change it."""
    return administrations.get()


def administration_names(ids: Iterable[str]) -> dict[str, str]:
    """The names (in the current language) of those of ``ids`` that are administrations."""
    held = held_administrations()
    return {pk: held[pk].name for pk in ids if pk in held}
