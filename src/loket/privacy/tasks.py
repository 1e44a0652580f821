"""The daily application of the retention rules, run by ``loket worker``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from loket.privacy.retention import apply_retention
from loket.tasks.queue import every, handler


@handler("privacy.retention")
def retention_task(payload: dict[str, Any]) -> None:
    apply_retention()


every("privacy.retention", timedelta(days=1))
