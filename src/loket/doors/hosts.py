"""From a request's host to its door.

The doors are read on every request and change a few times a year: every process holds them in
memory (``core.versioned``, topic "doors"), rebuilt at once after a change in this process and
within ``RECHECK_SECONDS`` after a change in another. A request costs no query for its door
between two checks of the version.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http.request import split_domain_port

from loket.core.models import Administration
from loket.core.versioned import VersionedReference
from loket.doors.models import Door, DoorHost

RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Doors:
    by_host: dict[str, Door]
    any: bool  # whether any door exists (one may have no host name yet)
    primary: dict[str, str]  # door id → its primary host name
    region: Door | None  # the door without a municipality
    by_id: dict[str, Door]  # every door that has a host name, and the region's


def _load() -> Doors:
    rows = list(DoorHost.objects.select_related("door", "door__administration"))
    by_host = {row.host: row.door for row in rows}
    primary = {row.door_id: row.host for row in rows if row.primary}
    region = next((row.door for row in rows if row.door.administration_id is None), None)
    if region is None:  # a region's door with no host name yet
        region = Door.objects.filter(administration__isnull=True).first()
    by_id = {door.pk: door for door in [*by_host.values(), *([region] if region else [])]}
    return Doors(by_host, bool(rows) or Door.objects.exists(), primary, region, by_id)


doors = VersionedReference("doors", _load, recheck_seconds=RECHECK_SECONDS)
# A door's name comes with its administration (the provider named on its pages).
doors.follow(Door, DoorHost, Administration)


def host_name(host: str) -> str:
    """The host name without port or trailing dot, in lower case (``Host`` is case-insensitive)."""
    domain, _port = split_domain_port(host.lower())
    return domain


def door_for_host(host: str) -> Door | None:
    """The door that answers ``host`` (with or without port), or None."""
    return doors.get().by_host.get(host_name(host))


def primary_host_of(door: Door) -> str:
    """The host name of the door's canonical addresses (``DoorHost.primary``), held in memory
    with the doors."""
    return doors.get().primary.get(door.pk, "")


def held_door(door_id: str) -> Door | None:
    """A door by id, from memory (None for a door without a host name: read it instead)."""
    return doors.get().by_id.get(door_id)


def region_door() -> Door | None:
    """The region's door (the one without a municipality), if there is one."""
    return doors.get().region


def doors_configured() -> bool:
    """Whether any door exists. Without one, the deployment is a single site under
    ``LOKET_BRANDING`` (as before doors); with one, every host must be a door's."""
    return doors.get().any
