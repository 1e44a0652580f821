"""FR, NL and EN catalogues are complete, compiled, and cover every string in the code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

import loket
from loket.forms.definitions import available_definitions, get_definition
from loket.web.i18n_tools import LANGUAGES, catalogue_path, missing

SOURCE = Path(loket.__file__).resolve().parent


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_untranslated_or_fuzzy(language: str) -> None:
    assert missing(language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source_catalogue(language: str) -> None:
    po = polib.pofile(str(catalogue_path(language)))
    mo = polib.mofile(str(catalogue_path(language).with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, entry.msgid
        msgstr, plural = compiled[(entry.msgctxt, entry.msgid)]
        assert (msgstr or None, plural or None) == (
            entry.msgstr or None,
            {int(k): v for k, v in entry.msgstr_plural.items()} or None,
        ), entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_in_the_code_and_templates_is_in_the_catalogues(tmp_path: Path) -> None:
    copy = tmp_path / "loket"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    for language in LANGUAGES:
        (copy / "locale" / language / "LC_MESSAGES" / "django.po").unlink()
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(catalogue_path("fr")))}
    assert sorted(extracted - known) == [], "run `make messages` and translate the new strings"


@pytest.mark.django_db
def test_every_form_definition_has_all_three_languages() -> None:
    # parse() refuses a label, title or help text that lacks fr, nl or en.
    for procedure_id in available_definitions():
        assert get_definition(procedure_id) is not None
