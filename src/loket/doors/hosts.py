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


def _load() -> Doors:
    hosts = DoorHost.objects.select_related("door", "door__administration")
    return Doors({row.host: row.door for row in hosts}, Door.objects.exists())


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
    """The host name of the door's canonical addresses (``DoorHost.primary``)."""
    return door.primary_host


def region_door() -> Door | None:
    """The region's door (the one without a municipality), if there is one."""
    return Door.objects.filter(administration__isnull=True).first()


def doors_configured() -> bool:
    """Whether any door exists. Without one, the deployment is a single site under
    ``LOKET_BRANDING`` (as before doors); with one, every host must be a door's."""
    return doors.get().any
