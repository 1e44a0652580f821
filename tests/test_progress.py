"""Progress of long commands: a live line on a terminal (how far, how fast, time left) and one
summary line with the counts done, skipped and refused when piped. ``loket seed --residents
2000`` is run for real, once on a pseudo-terminal (``pty``) and once into a pipe."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loket.observe.progress import Progress

LOKET = str(Path(sys.executable).parent / "loket")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_on_a_terminal_the_line_says_how_far_how_fast_and_the_time_left() -> None:
    out, clock = Terminal(), Clock()
    progress = Progress("residents", 2000, out, clock=clock)
    clock.now += 2
    progress.advance(500)
    assert "\rresidents: 500 of 2,000 (25%), 250/s, 6 s left" in out.getvalue()
    clock.now += 2
    progress.advance(480)
    progress.advance(20, "skipped")  # within a tenth of a second: the line waits
    assert "980 of 2,000 (49%), 245/s, 4 s left" in out.getvalue()
    assert "1,000 of" not in out.getvalue()
    assert progress.finish() == "residents: 980 done, 20 skipped, 0 refused in 4 s (250/s)"
    assert out.getvalue().endswith(
        "\rresidents: 980 done, 20 skipped, 0 refused in 4 s (250/s)\x1b[K\n"
    )


def test_piped_only_one_summary_line_is_written() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress("open data", None, out, clock=clock)
    for _ in range(50):
        clock.now += 0.5
        progress.advance(10)
    progress.advance(3, "refused")
    assert out.getvalue() == ""
    progress.finish()
    assert out.getvalue() == "open data: 500 done, 0 skipped, 3 refused in 25 s (20/s)\n"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated SQLite database, copied for each run (faster than migrating twice)."""
    folder = tmp_path_factory.mktemp("progress")
    database = folder / "template.sqlite3"
    done = subprocess.run([LOKET, "migrate", "-v0"], env=environment(database, folder),
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return database


def environment(database: Path, folder: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    return {**kept, "LOKET_ENV": "test", "LOKET_DATABASE_URL": f"sqlite:///{database}",
            "LOKET_VAR_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "loket.settings"}  # fmt: skip


@pytest.fixture
def fresh(migrated: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    database = tmp_path / "loket.sqlite3"
    shutil.copy(migrated, database)
    yield environment(database, tmp_path)


def run_on_a_terminal(arguments: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(arguments, env=env, stdin=follower, stdout=follower,
                               stderr=follower, close_fds=True)  # fmt: skip
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 300)
        if not ready:
            process.kill()
            pytest.fail(f"no output for 300 s: {output[-2000:]!r}")
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal is closed: the command ended
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, output[-2000:]
    return output.decode()


SUMMARY = re.compile(
    r"synthetic residents: 2,0\d\d done, 0 skipped, 0 refused in \d+ s \([\d,]+/s\)"
)


def test_seed_shows_progress_on_a_terminal(fresh: dict[str, str]) -> None:
    output = run_on_a_terminal([LOKET, "seed", "--residents", "2000"], fresh)
    live = re.findall(
        r"\rsynthetic residents: ([\d,]+) of 2,000 \((\d+)%\), [\d,]+/s, ([^\r]*?) left", output
    )
    assert len(live) >= 2, output[-2000:]
    assert int(live[0][1]) < 100, "the first line comes before the end"
    assert SUMMARY.search(output), output[-2000:]


def test_seed_piped_prints_one_summary_line_and_no_live_line(fresh: dict[str, str]) -> None:
    done = subprocess.run([LOKET, "seed", "--residents", "2000"], env=fresh, capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stdout and "\x1b" not in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("synthetic residents")]
    assert len(lines) == 1 and SUMMARY.fullmatch(lines[0]), done.stdout
