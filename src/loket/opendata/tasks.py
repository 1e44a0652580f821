"""The scheduled publication of the open data (daily), run by ``loket worker``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from loket.opendata.publish import publish
from loket.tasks.queue import every, handler


@handler("opendata.publish")
def publish_task(payload: dict[str, Any]) -> None:
    publish()


every("opendata.publish", timedelta(days=1))
