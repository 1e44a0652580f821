"""Structured communications (OGM/VCS, "+++123/4567/89002+++"): the reference of every payment,
unique, which a bank transfer carries back to Loket on the statement."""

from __future__ import annotations

import secrets

from stdnum.be import ogm_vcs


def new_structured_communication() -> str:
    """A random, valid structured communication, formatted as banks print it."""
    base = f"{secrets.randbelow(10**10):010d}"
    return f"+++{ogm_vcs.format(base + ogm_vcs.calc_check_digits(base))}+++"


def compact(communication: str) -> str:
    """The 12 digits of a structured communication as a statement gives it, or "" for free text
    that is not one."""
    try:
        return str(ogm_vcs.validate(communication))
    except ogm_vcs.ValidationError:
        return ""
