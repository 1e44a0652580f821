"""Reference data held in memory by every server process, invalidated across processes.

Some data is read on nearly every request and changes a few times a year: the front doors, the
catalogue (each app declares its own topic). Each process keeps a copy built by one function,
and a topic's row in ``ReferenceVersion`` counts the changes. Saving or deleting one of the
followed models bumps the row (a signal, in whichever process made the change) and drops that
process's copy at once; every other process reads the row at most once every
``recheck_seconds`` and rebuilds its copy when the number moved. Between two reads a request
costs no query at all. A change made without Django's signals (raw SQL, ``QuerySet.update``)
must bump the row itself.

    doors = VersionedReference("doors", build=load_doors, recheck_seconds=5.0)
    doors.follow(Door, DoorHost)
    doors.get()  # the copy; rebuilt when stale
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from loket.core.models import ReferenceVersion

T = TypeVar("T")
HELD: list[VersionedReference[Any]] = []  # every copy of this process, for forget_all()


def current_version(topic: str) -> int:
    found = ReferenceVersion.objects.filter(topic=topic).values_list("version", flat=True).first()
    return found or 0


def bump_version(topic: str) -> None:
    """Count one change of ``topic``, for every process that holds a copy of it."""
    if not ReferenceVersion.objects.filter(topic=topic).update(version=F("version") + 1):
        ReferenceVersion.objects.get_or_create(topic=topic, defaults={"version": 1})


class VersionedReference(Generic[T]):
    """A per-process copy of ``build()``'s result, rebuilt when ``topic``'s version moved (read
    at most every ``recheck_seconds``) or when this process changed the data."""

    def __init__(self, topic: str, build: Callable[[], T], recheck_seconds: float = 5.0) -> None:
        self.topic = topic
        self.build = build
        self.recheck_seconds = recheck_seconds
        # The copy and the version it was built from, replaced in one assignment: a thread
        # reading it never sees one without the other, nor a copy dropped under its feet.
        self._held: tuple[T, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        HELD.append(self)

    def get(self) -> T:
        """The copy, rebuilt first if this process changed the data or the version moved."""
        held = self._held
        if held is not None and not self._due():
            return held[0]
        with self._lock:  # one rebuild per process, not one per thread
            held = self._held
            if held is None or self._due():
                # The version before the data: a change committed in between costs one more
                # rebuild later, never a copy older than its version.
                version = current_version(self.topic)
                self._checked = time.monotonic()
                if held is None or version != held[1]:
                    held = (self.build(), version)
                    self._held = held
            return held[0]

    def _due(self) -> bool:
        return time.monotonic() - self._checked >= self.recheck_seconds

    def invalidate(self) -> None:
        """Forget the copy in this process: the next ``get`` rebuilds it."""
        self._held = None

    def changed(self, **_kwargs: object) -> None:
        """A signal receiver: the data changed in this process. The copy goes at once (even
        inside a transaction not yet committed, which sees its own change), again when the
        transaction commits (a thread that rebuilt meanwhile read the old data), and the
        version moves for the other processes."""
        self.invalidate()
        transaction.on_commit(self.invalidate)
        bump_version(self.topic)

    def follow(
        self, *senders: type[models.Model], m2m: tuple[type[models.Model], ...] = ()
    ) -> None:
        """Count every save and delete of ``senders`` (and every change of the ``m2m`` through
        models) as a change of this data."""
        for sender in senders:
            for name, signal in (("save", post_save), ("delete", post_delete)):
                uid = f"versioned-{self.topic}-{name}-{sender._meta.label}"
                signal.connect(self.changed, sender=sender, dispatch_uid=uid, weak=False)
        for through in m2m:
            uid = f"versioned-{self.topic}-m2m-{through}"
            m2m_changed.connect(self.changed, sender=through, dispatch_uid=uid, weak=False)


def forget_all() -> None:
    """Drop every copy of this process (tests: a rolled-back transaction leaves no signal)."""
    for held in HELD:
        held.invalidate()
