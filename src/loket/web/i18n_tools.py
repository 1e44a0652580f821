"""Message catalogues: fill the English one from the source strings, compile all with polib.

``python -m loket.web.i18n_tools compile`` compiles the .po files to .mo without GNU gettext, so
a fresh machine with only Python can run Loket. ``missing`` lists untranslated or fuzzy entries.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("fr", "nl", "en")


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def fill_english() -> None:
    """English is the source language: its catalogue repeats the source strings."""
    catalogue = polib.pofile(str(catalogue_path("en")))
    for entry in catalogue:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()


def missing(language: str) -> list[str]:
    """The msgids of ``language`` that have no translation or are marked fuzzy."""
    catalogue = polib.pofile(str(catalogue_path(language)))
    problems = [e.msgid for e in catalogue.untranslated_entries()]
    problems += [e.msgid for e in catalogue.fuzzy_entries()]
    return problems


def compile_all() -> None:
    for language in LANGUAGES:
        catalogue = polib.pofile(str(catalogue_path(language)))
        catalogue.save_as_mofile(str(catalogue_path(language).with_suffix(".mo")))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "compile":
        fill_english()
        compile_all()
        return 0
    if command == "missing":
        report = {language: missing(language) for language in LANGUAGES}
        for language, entries in report.items():
            for msgid in entries:
                print(f"{language}: {msgid}")
        return 1 if any(report.values()) else 0
    print("usage: python -m loket.web.i18n_tools [compile|missing]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
