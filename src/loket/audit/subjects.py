"""Who an access-log entry is about, or by: the pseudonyms of a person.

A person is known in the log by the pseudonym of their national number, or, for an account that
has none (a civil servant from their organisation's provider, a test account), by that of their
account; an enterprise by the pseudonym of its number. Every writer and every reader of the log
uses these two functions, so "who consulted my data" finds everything written about someone.
"""

from __future__ import annotations

from loket.core.identifiers import pseudonym
from loket.core.models import User


def person_pseudonym(user: User) -> str:
    """The pseudonym of ``user`` as the subject or the actor of an entry."""
    return pseudonym(user.national_number or f"user:{user.pk}")


def subject_pseudonyms(user: User) -> list[str]:
    """Every pseudonym under which the log may hold entries about ``user``: as a person, as an
    account, and as their enterprise."""
    identifiers = [user.national_number or "", f"user:{user.pk}", user.enterprise_number]
    return [pseudonym(identifier) for identifier in identifiers if identifier]
