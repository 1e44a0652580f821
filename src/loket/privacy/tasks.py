"""The privacy work the worker (``loket worker``) does: the daily retention rules, the access
archives requested by people, and the removal of archives nobody downloaded in time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from loket.privacy.archive import delete_expired_archives, do_build_access_archive
from loket.privacy.models import DataSubjectRequest
from loket.privacy.retention import apply_retention
from loket.tasks.queue import every, handler


@handler("privacy.retention")
def retention_task(payload: dict[str, Any]) -> None:
    apply_retention()


@handler("privacy.access-archive")
def access_archive_task(payload: dict[str, Any]) -> None:
    request = DataSubjectRequest.objects.select_related("person").get(pk=payload["request"])
    if not hasattr(request, "archive"):  # a retried task builds it once
        do_build_access_archive(request)


@handler("privacy.archives-expire")
def expire_archives_task(payload: dict[str, Any]) -> None:
    delete_expired_archives()


every("privacy.retention", timedelta(days=1))
every("privacy.archives-expire", timedelta(hours=1))
