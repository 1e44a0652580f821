"""Configuring a door: the rules a door must keep, checked once for every page that saves one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.http.request import validate_host
from django.utils.translation import gettext as _

from loket.core.models import Administration
from loket.doors.contrast import HEX_COLOUR, MINIMUM_CONTRAST, WHITE, weakest_contrast
from loket.doors.hosts import host_name
from loket.doors.models import Door, DoorHost

# A DNS name: labels of letters, digits and hyphens; or an IPv4 address (the demo's 127.0.0.1).
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")


class DoorRefused(Exception):
    """What is wrong with a door's settings, by field, in the active language."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass
class DoorSettings:
    names: dict[str, str]
    hosts: list[str]
    administration_id: str = ""
    logo: str = ""
    accent: str = ""
    accent_text: str = WHITE
    email: str = ""
    phone: str = ""
    address: str = ""
    opening_hours: dict[str, str] = field(default_factory=dict)
    help_points: str = ""
    embed_origins: list[str] = field(default_factory=list)


def check_accent(accent: str, accent_text: str = WHITE) -> str | None:
    """Why this accent breaks the contrast rules (WCAG 2.2, 1.4.3), or None if it keeps them."""
    for colour in (accent, accent_text):
        if not HEX_COLOUR.match(colour):
            return _("Give the colour as # and six hexadecimal digits, e.g. #0b3d91.")
    ratio, other = weakest_contrast(accent, accent_text)
    if ratio < MINIMUM_CONTRAST:
        return _(
            "This colour has a contrast of %(ratio).2f:1 with %(other)s; at least %(minimum)s:1 "
            "is needed so that links and the header stay readable."
        ) % {"ratio": ratio, "other": other, "minimum": MINIMUM_CONTRAST}
    return None


def check_hosts(hosts: list[str], door_id: str) -> str | None:
    """Why these host names cannot be the door's, or None."""
    if not hosts:
        return _("Give at least one host name.")
    for host in hosts:
        if not _HOST.match(host):
            return _("“%(host)s” is not a host name.") % {"host": host}
        if not validate_host(host, settings.ALLOWED_HOSTS):
            return _(
                "“%(host)s” is not in LOKET_ALLOWED_HOSTS: add it there first, or the "
                "deployment will refuse it."
            ) % {"host": host}
        owner = DoorHost.objects.filter(host=host).exclude(door_id=door_id).first()
        if owner is not None:
            return _("“%(host)s” already opens the door “%(door)s”.") % {
                "host": host,
                "door": owner.door.name,
            }
    return None


def embed_origin(text: str) -> str | None:
    """``text`` as the origin a CSP ``frame-ancestors`` names (``https://www.ixelles.be``,
    ``http://ixelles.localhost:8000``; a bare host name means https), or None if it is none."""
    text = text.strip().lower().rstrip("/")
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not _HOST.match(host)
        or parts.path or parts.query or parts.fragment
        or parts.username is not None or parts.password is not None
    ):  # fmt: skip
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def check_embed_origins(origins: list[str]) -> str | None:
    """Why these origins may not frame the door's embedded descriptions, or None."""
    for text in origins:
        if embed_origin(text) is None:
            return _(
                "“%(origin)s” is not a website's address: give it as https://www.example.be "
                "(scheme and host name, with a port if needed, no path)."
            ) % {"origin": text[:200]}
    return None


def check_door(door_id: str, values: DoorSettings) -> dict[str, str]:
    """Every problem with these settings, by field; empty when the door may be saved."""
    problems: dict[str, str] = {}
    if not values.names.get("fr") or not values.names.get("nl"):
        problems["names"] = _("Give the door's name in French and in Dutch.")
    hosts_problem = check_hosts(values.hosts, door_id)
    if hosts_problem:
        problems["hosts"] = hosts_problem
    origins_problem = check_embed_origins(values.embed_origins)
    if origins_problem:
        problems["embed_origins"] = origins_problem
    if values.accent:
        accent_problem = check_accent(values.accent, values.accent_text or WHITE)
        if accent_problem:
            problems["accent"] = accent_problem
    if values.logo and not finders.find(values.logo):
        problems["logo"] = _("No static file “%(path)s”.") % {"path": values.logo}
    if values.administration_id:
        administration = Administration.objects.filter(pk=values.administration_id).first()
        if administration is None or administration.kind != Administration.Kind.MUNICIPALITY:
            problems["administration"] = _("Choose a municipality.")
        elif Door.objects.filter(administration=administration).exclude(pk=door_id).exists():
            problems["administration"] = _("This municipality has a door already.")
    elif Door.objects.filter(administration__isnull=True).exclude(pk=door_id).exists():
        problems["administration"] = _("The region has a door already: choose a municipality.")
    return problems


@transaction.atomic
def do_save_door(door_id: str, values: DoorSettings) -> Door:
    """Create or change the door ``door_id`` with these settings, or refuse (DoorRefused).
    The first host name given is the door's primary one."""
    values.hosts = list(
        dict.fromkeys(host_name(host.strip()) for host in values.hosts if host.strip())
    )
    values.accent = values.accent.lower()
    values.accent_text = (values.accent_text or WHITE).lower()
    problems = check_door(door_id, values)
    if problems:
        raise DoorRefused(problems)
    values.embed_origins = list(
        dict.fromkeys(embed_origin(text) or "" for text in values.embed_origins)
    )
    door, _created = Door.objects.select_for_update().update_or_create(
        pk=door_id,
        defaults={
            "names": values.names, "administration_id": values.administration_id or None,
            "logo": values.logo, "accent": values.accent, "accent_text": values.accent_text,
            "email": values.email, "phone": values.phone, "address": values.address,
            "opening_hours": values.opening_hours, "help_points": values.help_points,
            "embed_origins": values.embed_origins,
        },
    )  # fmt: skip
    door.hosts.exclude(host__in=values.hosts).delete()
    door.hosts.update(primary=False)
    for position, host in enumerate(values.hosts):
        DoorHost.objects.update_or_create(host=host, door=door, defaults={"primary": position == 0})
    return door
