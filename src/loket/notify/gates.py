"""Whether a person may be sent e-mail: notify asks the apps that know, through gates they
register at start-up (privacy registers the person's consent), because notify sits below them
and may not import them.

Fail safe: every registered gate must answer yes, and with no gate registered no e-mail leaves
(the notice still reaches the inbox). A deployment that forgot the privacy app sends nothing
rather than e-mail nobody agreed to.
"""

from __future__ import annotations

from collections.abc import Callable

from loket.core.models import User

MailGate = Callable[[User], bool]
_mail_gates: list[MailGate] = []


def register_mail_gate(gate: MailGate) -> None:
    """Let a higher app (privacy) answer whether ``person`` may receive e-mail now."""
    if gate not in _mail_gates:
        _mail_gates.append(gate)


def may_email(person: User) -> bool:
    return bool(_mail_gates) and all(gate(person) for gate in _mail_gates)
