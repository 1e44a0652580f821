"""Which adapter serves which source, chosen by configuration (``LOKET_SOURCES``).

An adapter is a demo adapter when it says so (``demo = True``, see ``base.is_demo_adapter``), not
because of the module it lives in. Production refuses to start while any source is served by one
(``demo_adapter_problems``, called at start-up by ``SourcesConfig.ready`` and by ``loket check
--deploy``).
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from loket.sources.base import AuthenticSource, is_demo_adapter

DEFAULT_SOURCES = {
    "population": "loket.sources.demo.PopulationRegister",
    "vehicle": "loket.sources.demo.VehicleRegister",
    "enterprise": "loket.sources.demo.EnterpriseRegister",
    "social": "loket.sources.demo.SocialSecurityRegister",
}


def adapter_paths() -> dict[str, str]:
    """The dotted path of each source's adapter: the demo defaults under ``LOKET_SOURCES``."""
    return {**DEFAULT_SOURCES, **getattr(settings, "LOKET_SOURCES", {})}


def demo_adapter_problems() -> list[str]:
    """One line per source whose adapter is a demo adapter or cannot be imported."""
    problems = []
    for source_id, path in adapter_paths().items():
        try:
            adapter = import_string(str(path))
        except ImportError as problem:
            problems.append(
                f"LOKET_SOURCES[{source_id!r}] = {path!r} cannot be imported ({problem})"
            )
            continue
        if is_demo_adapter(adapter):
            problems.append(
                f"LOKET_SOURCES must name a real adapter for {source_id!r}, not the demo "
                f"({path} says demo = True)"
            )
    return problems


@cache
def get_source(source_id: str) -> AuthenticSource:
    paths = adapter_paths()
    if source_id not in paths:
        raise KeyError(f"no adapter configured for authentic source {source_id!r}")
    source: AuthenticSource = import_string(paths[source_id])()
    if is_demo_adapter(source) and getattr(settings, "LOKET_ENV", "") == "production":
        # Start-up already refuses this; a settings change at run time must not slip past.
        raise ImproperlyConfigured(f"the {source_id!r} source is served by a demo adapter")
    return source


def subject_kind_of(attribute: str) -> str:
    """Whose data ``source.attribute`` is: a person's or an enterprise's."""
    return get_source(attribute.split(".", 1)[0]).subject_kind
