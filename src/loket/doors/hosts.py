"""From a request's host to its door."""

from __future__ import annotations

from django.http.request import split_domain_port

from loket.doors.models import Door, DoorHost


def host_name(host: str) -> str:
    """The host name without port or trailing dot, in lower case (``Host`` is case-insensitive)."""
    domain, _port = split_domain_port(host.lower())
    return domain


def door_for_host(host: str) -> Door | None:
    """The door that answers ``host`` (with or without port), or None."""
    found = (
        DoorHost.objects.select_related("door", "door__administration")
        .filter(host=host_name(host))
        .first()
    )
    return found.door if found else None


def primary_host_of(door: Door) -> str:
    """The host name of the door's canonical addresses (``DoorHost.primary``)."""
    return door.primary_host


def region_door() -> Door | None:
    """The region's door (the one without a municipality), if there is one."""
    return Door.objects.filter(administration__isnull=True).first()


def doors_configured() -> bool:
    """Whether any door exists. Without one, the deployment is a single site under
    ``LOKET_BRANDING`` (as before doors); with one, every host must be a door's."""
    return Door.objects.exists()
