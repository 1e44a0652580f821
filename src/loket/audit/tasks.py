"""Signing the access log's tree head when entries wait unsigned, run by ``loket worker``.

An append signs a head only when the last one is older than ``HEAD_INTERVAL``, so the last
entries of a burst stay unsigned until the next append, which on a quiet night may be hours
away. This task signs them every ``SIGN_PERIOD``, keeping unsigned entries short-lived (and the
``LoketAccessLogHeadUnsigned`` alert for a worker or a key that stopped working).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from loket.audit.log import sign_pending
from loket.tasks.queue import every, handler

SIGN_TASK = "audit.sign-head"
SIGN_PERIOD = timedelta(minutes=10)


@handler(SIGN_TASK)
def sign_head_task(payload: dict[str, Any]) -> None:
    sign_pending()


every(SIGN_TASK, SIGN_PERIOD)
