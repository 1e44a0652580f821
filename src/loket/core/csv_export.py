"""CSV files that a spreadsheet opens as text: every export of the platform writes through here.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheet programs as a formula, so text typed by a resident (an address, a problem report, a
message) could run one on the computer of the civil servant who opens the file (CSV injection).
As OWASP advises, such a cell gets a leading single quote; numbers are written as they are,
and so is a negative amount written as text (``-12,50`` in a Belgian spreadsheet's spelling),
which holds only a sign, digits and one decimal mark.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(cell: object) -> object:
    """The cell, with a leading ``'`` when it is text that a spreadsheet would take as a formula."""
    if (
        isinstance(cell, str)
        and cell.startswith(FORMULA_STARTS)
        and not _NEGATIVE_NUMBER.fullmatch(cell)
    ):
        return "'" + cell
    return cell


class Writer:
    """``csv.writer`` whose text cells cannot start a formula."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:
    _DictWriter = csv.DictWriter  # generic only from Python 3.12 on


class DictWriter(_DictWriter):
    """``csv.DictWriter`` whose text cells cannot start a formula (the header is ours)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)
