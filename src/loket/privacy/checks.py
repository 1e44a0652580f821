"""``loket check`` fails when the register of processing is incomplete."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.db import DatabaseError


@register("loket")
def processing_register_is_complete(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from loket.privacy.register import register_problems

    try:
        problems = register_problems()
    except DatabaseError:  # no tables yet (before migrate): nothing to check
        return []
    return [Error(problem, id="loket.P001") for problem in problems]
