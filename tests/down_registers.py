"""Registers whose backend does not answer, named in LOKET_SOURCES by the tests that need one."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from loket.sources.base import SourceUnavailable, Subject


class DownPopulationRegister:
    """The population register's backend does not answer."""

    id = "population"
    subject_kind = "person"
    attributes = frozenset({"identity", "address", "household", "address_history"})

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]:
        raise SourceUnavailable("timeout")
