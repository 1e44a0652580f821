"""Which adapter serves which source, chosen by configuration (``LOKET_SOURCES``)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from loket.sources.base import AuthenticSource

DEFAULT_SOURCES = {
    "population": "loket.sources.demo.PopulationRegister",
    "vehicle": "loket.sources.demo.VehicleRegister",
    "enterprise": "loket.sources.demo.EnterpriseRegister",
    "social": "loket.sources.demo.SocialSecurityRegister",
}


@cache
def get_source(source_id: str) -> AuthenticSource:
    paths: dict[str, str] = {**DEFAULT_SOURCES, **getattr(settings, "LOKET_SOURCES", {})}
    if source_id not in paths:
        raise KeyError(f"no adapter configured for authentic source {source_id!r}")
    source: AuthenticSource = import_string(paths[source_id])()
    return source


def subject_kind_of(attribute: str) -> str:
    """Whose data ``source.attribute`` is: a person's or an enterprise's."""
    return get_source(attribute.split(".", 1)[0]).subject_kind
