"""What an authentic source is, for the rest of Loket: a small protocol and the value types.

A source answers attributes (``identity``, ``address``, ``registrations`` …) about a subject
identified by a national number or an enterprise number. Every real register gets an adapter with
this shape; the demo ships adapters over the synthetic registers. An adapter says whether it is
a demo adapter with its ``demo`` attribute: production refuses to start on one, wherever it lives.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

SubjectKind = Literal["person", "enterprise"]


@dataclass(frozen=True)
class Subject:
    """Whose data is read: a person (national number) or an enterprise (enterprise number)."""

    kind: SubjectKind
    identifier: str


@dataclass(frozen=True)
class Purpose:
    """Why data is read: a procedure and the purpose code it declared for the attribute."""

    procedure_id: str
    code: str
    case_reference: str = ""


@dataclass(frozen=True)
class Actor:
    """Who reads: the logged-in user, in the role in which they act."""

    user_id: int
    national_number: str
    role: Literal["self", "agent", "helper", "counter", "grantor"]
    administration_id: str = ""
    acting_for: str = ""  # the principal's identifier, when a helper acts under a mandate
    # ``counter``: a municipal agent entering a paper application for a resident who is present,
    # under the day's counter session (a mandate of kind counter); administration_id = the counter.
    # ``grantor``: a person about to give a mandate, reading only the name of the one it names.


# The one purpose under which a grantor may read someone else: the name of the person a mandate
# will name, shown for confirmation before it is given (declared per procedure with ``also_for``).
NAME_MANDATE_HOLDER = "name-mandate-holder"


class SourceUnavailable(Exception):
    """The register did not answer (timeout, error, maintenance). Never a reason to stop a user."""


class ConsultationRefused(Exception):
    """consult() refused: an undeclared attribute or purpose, or an actor who may not read."""


@dataclass
class SourceAnswer:
    source: str
    attributes: dict[str, Any] = field(default_factory=dict)
    unavailable: bool = False


class AuthenticSource(Protocol):
    """An adapter to one register. ``fetch`` may raise ``SourceUnavailable``.

    ``demo`` is True on adapters that answer from synthetic data (``loket.sources.demo`` and any
    adapter derived from them); production refuses them (``registry.demo_adapter_problems``).
    """

    id: str
    subject_kind: SubjectKind
    attributes: frozenset[str]
    demo: ClassVar[bool]

    def fetch(self, subject: Subject, attributes: Collection[str]) -> dict[str, Any]: ...


def is_demo_adapter(adapter: object) -> bool:
    """Whether an adapter class (or instance) declares itself a demo adapter. An adapter that
    does not say is a real one: only ``demo = True`` marks synthetic data."""
    return getattr(adapter, "demo", False) is True
