"""An upload when the file storage is unwritable or full: a clear error, nothing else lost."""

from __future__ import annotations

import resource
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.conftest import Browser, Process, Server, loket_environment, query

pytestmark = pytest.mark.faults

APPLY = "/en/procedures/life-certificate/apply/"
PDF = b"%PDF-1.4\n" + b"0" * 64 * 1024 + b"\n%%EOF\n"
FILE_SIZE_LIMIT = 16 * 1024  # bytes a process under RLIMIT_FSIZE may write to one file


def unwritable(var_dir: Path) -> tuple[dict[str, str], Callable[[], None] | None]:
    """MEDIA_ROOT below a regular file: no directory can be made there, not even by root."""
    (var_dir / "not-a-directory").write_text("a file where the media folder should be")
    return {"LOKET_MEDIA_ROOT": str(var_dir / "not-a-directory" / "media")}, None


def full(var_dir: Path) -> tuple[dict[str, str], Callable[[], None] | None]:
    """Every file write past a few kilobytes fails (EFBIG), as on a disk that filled up."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))

    return {}, limit


@pytest.mark.parametrize("storage", [unwritable, full], ids=["unwritable", "full"])
def test_an_upload_the_storage_cannot_take_is_refused_clearly_and_the_answers_are_kept(
    database: str,
    var_dir: Path,
    processes: list[Process],
    storage: Callable[[Path], tuple[dict[str, str], Callable[[], None] | None]],
) -> None:
    settings, preexec = storage(var_dir)
    environment = loket_environment(database, var_dir, **settings)
    server = Server(environment, workers=1, preexec=preexec)
    processes.append(server.start())
    browser = Browser(server.url, "resident")
    browser.log_in()
    browser.get(APPLY)
    assert browser.post(APPLY, {"use_registers": "yes"}).status_code == 302
    typed = {"issuing_municipality": "21009"}
    assert browser.post(f"{APPLY}q/municipality/", typed).status_code == 302
    recipient = {"requesting_body": "Deutsche Rentenversicherung", "country": "Germany"}
    assert browser.post(f"{APPLY}q/recipient/", recipient).status_code == 302

    answer = browser.post(
        f"{APPLY}q/own-form/",
        {"has_own_form": "yes"},
        files={"own_form": ("rentenformular.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 422  # the page again, with the error; never a 500
    assert "The file could not be stored right now" in answer.text
    # What was answered before is kept, in the draft and on its page.
    [(answers,)] = query(
        database,
        "SELECT d.answers FROM loket_forms_draft d JOIN core_user u ON u.id = d.user_id "
        "WHERE u.username = 'demo-resident' AND d.procedure_id = 'life-certificate'",
    )
    assert answers["requesting_body"] == "Deutsche Rentenversicherung"
    assert answers["issuing_municipality"] == "21009"
    assert "Deutsche Rentenversicherung" in browser.get(f"{APPLY}q/recipient/").text
    assert query(database, "SELECT count(*) FROM loket_forms_attachment") == [(0,)]
    # Operators are told, without the file or the person in the message.
    assert "ERROR loket.forms.uploads" in server.log()
    assert "rentenformular" not in server.log()
