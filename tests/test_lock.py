"""The lock files pin every dependency pyproject.toml names, at a version it allows, with hashes.

`make` installs requirements/dev.lock with ``pip install --require-hashes`` and then Loket with
``--no-deps``: a dependency added to pyproject.toml but not to the lock would be missing.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def pinned(lock: str) -> dict[str, str]:
    """Name → version of every package in a lock file; each must carry at least one hash."""
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    versions: dict[str, str] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PINNED.match(entry)
        if match:
            assert "--hash=sha256:" in entry, f"{match[1]} has no hash in {lock}"
            versions[canonicalize_name(match[1])] = match[2]
    return versions


def requirements(*groups: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    named = list(project["dependencies"])
    for group in groups:
        named += project["optional-dependencies"][group]
    named += PYPROJECT["build-system"]["requires"]
    return [Requirement(text) for text in named]


@pytest.mark.parametrize(("lock", "groups"), [("dev.lock", ("dev",)), ("runtime.lock", ())])
def test_every_dependency_of_pyproject_is_locked_at_a_version_it_allows(
    lock: str, groups: tuple[str, ...]
) -> None:
    versions = pinned(lock)
    missing = [str(r) for r in requirements(*groups) if canonicalize_name(r.name) not in versions]
    assert missing == [], f"not in requirements/{lock}: run pip-compile (README, Developing)"
    refused = [
        f"{r.name}=={versions[canonicalize_name(r.name)]} ({r.specifier})"
        for r in requirements(*groups)
        if not r.specifier.contains(versions[canonicalize_name(r.name)], prereleases=True)
    ]
    assert refused == []


def test_the_runtime_lock_holds_the_dev_locks_versions_and_no_dev_tool() -> None:
    dev, runtime = pinned("dev.lock"), pinned("runtime.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert "pytest" not in runtime and "mypy" not in runtime


def test_make_installs_exactly_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "LOCK := requirements/dev.lock" in makefile
    assert "$(STAMP): $(LOCK) pyproject.toml" in makefile
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile


def test_the_environment_running_the_tests_is_the_dev_lock() -> None:
    """What `make` installed is what the lock says, package by package (not merely compatible)."""
    installed: dict[str, str] = {
        canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()
    }
    differing = {
        name: (version, installed.get(name))
        for name, version in pinned("dev.lock").items()
        if installed.get(name) != version
    }
    assert differing == {}, "(locked, installed): reinstall with `make .venv/.installed`"
