"""Who may use each address of the platform: one declared access policy per URL name.

Every URL pattern must appear here (``tests/test_route_policies.py`` walks the whole URL
configuration, language prefixes and includes, and fails on any route without a policy), so a
new page cannot ship without someone deciding who it is for. The policy is a declaration that the
tests check against the view's real answer; the view itself keeps enforcing it (``login_required``,
memberships, tenancy in ``cases.selectors``).

A view may also carry its policy itself with ``@access("…")``; the attribute wins over the table.

Policies:

- ``anonymous``: anyone, logged in or not (public pages, login hand-over, public APIs).
- ``resident``: any logged-in person, acting for themselves.
- ``helper``: a logged-in person acting for someone else under a valid mandate.
- ``agent`` / ``manager``: a civil servant with that membership; cases only within tenancy.
- ``dpo``: a data protection officer (the internal register of processing).
- ``designer``: a service designer (procedure forms).
- ``token``: a machine holding a bearer token (or the register owner's staff).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

POLICIES: Final = frozenset(
    {"anonymous", "resident", "agent", "manager", "dpo", "designer", "helper", "token"}
)

ROUTE_POLICIES: Final[dict[str, str]] = {
    "healthz": "anonymous",
    "security-txt": "anonymous",
    # Each door's sitemap and robots.txt, and procedure descriptions for municipal websites.
    "sitemap": "anonymous",
    "robots": "anonymous",
    "web:procedure-embed": "anonymous",
    "web:procedure-feed": "anonymous",
    "web:for-websites": "anonymous",
    # The address register's public API and the open data files.
    "geo:search": "anonymous",
    "geo:reverse": "anonymous",
    "opendata-files:catalogue": "anonymous",
    "opendata-files:latest": "anonymous",
    "opendata-files:download": "anonymous",
    "opendata:index": "anonymous",
    "opendata:dataset": "anonymous",
    # The correction feed for the owner of the address register.
    "urbis:feed-csv": "token",
    "urbis:feed-geojson": "token",
    "urbis:feed-status": "token",
    # OpenID Connect: the hand-over to and from the identity providers.
    "oidc:callback": "anonymous",
    "oidc:agent-callback": "anonymous",
    "oidc:logged-out": "anonymous",
    "accounts:login": "anonymous",
    "accounts:start": "anonymous",
    "accounts:logout": "anonymous",
    # Transparency: the public register of processing, reported problems.
    "privacy:register": "anonymous",
    "privacy:dpo-register": "dpo",
    "incidents:list": "anonymous",
    # The public register of the algorithms Loket uses.
    "assist:algorithms": "anonymous",
    "incidents:geojson": "anonymous",
    "incidents:nearby": "anonymous",
    "incidents:support": "resident",
    # Public pages.
    "web:home": "anonymous",
    "web:catalogue": "anonymous",
    "web:procedure": "anonymous",
    "web:search": "anonymous",
    # The user's voice and the performance of the services (anonymous answers, public figures).
    "web:feedback": "anonymous",
    "web:performance": "anonymous",
    "web:verify": "anonymous",
    "web:verify-code": "anonymous",
    "web:design-system": "anonymous",
    "web:login": "anonymous",
    "web:logout": "anonymous",
    # Applying and following one's own cases and data.
    "web:apply-start": "resident",
    "web:apply-facts": "resident",
    "web:apply-declare": "resident",
    "web:apply-check": "resident",
    "web:apply-page": "resident",
    "web:my-cases": "resident",
    "web:notices-read": "resident",
    "web:notice-open": "resident",
    "web:case": "resident",
    "web:case-withdraw": "resident",
    "web:draft-delete": "resident",
    # Payments: the applicant pays; a provider's notification is checked by fetching the status
    # back from the provider, never believed; the demo provider's page stands in for a bank's.
    "payments:pay": "resident",
    "payments:transfer": "resident",
    "payments:return": "resident",
    "payments:demo-checkout": "anonymous",
    "payments-notify:notify": "anonymous",
    "payments:refunds": "agent",
    "payments:accountant-export": "agent",
    "payments:import-statement": "agent",
    "payments:refunds-queue": "agent",
    # The region's staff (heads of service of the platform operator) set the merchant accounts.
    "payments:merchant-accounts": "manager",
    "payments:merchant-account": "manager",
    "web:document": "resident",
    "web:certificate": "resident",
    "web:attachment": "resident",
    "web:my-data": "resident",
    "web:my-registers": "resident",
    "web:my-data-proof": "resident",
    "web:mandates": "resident",
    "web:mandate-give": "resident",
    "web:mandate-revoke": "resident",
    "web:mandate-act": "helper",
    "web:mandate-stop": "helper",
    "web:mandate-case": "helper",
    "web:mandate-document": "helper",
    # The back-office and the form designer.
    "web:backoffice": "agent",
    "web:backoffice-case": "agent",
    "web:backoffice-reroute": "agent",
    "web:backoffice-export": "agent",
    "web:backoffice-figures": "agent",
    "web:backoffice-performance": "agent",  # and the region's service designers
    "web:backoffice-performance-export": "agent",
    "web:backoffice-person": "agent",
    "web:backoffice-document": "agent",
    "web:backoffice-issue": "agent",
    "web:backoffice-certificates": "agent",
    "web:backoffice-certificate-file": "agent",
    "web:backoffice-certificate-revoke": "agent",
    "web:designer": "designer",
    "web:designer-edit": "designer",
    # The front doors: the region's designers only (web.views.doors.may_configure_doors).
    "web:doors": "designer",
    "web:door-new": "designer",
    "web:door-edit": "designer",
}

ATTRIBUTE: Final = "loket_access"

View = TypeVar("View", bound=Callable[..., object])


def access(policy: str) -> Callable[[View], View]:
    """Declare on a view who may use it: ``@access("agent")``. Changes nothing else."""
    if policy not in POLICIES:
        raise ValueError(f"unknown access policy {policy!r}")

    def declare(view: View) -> View:
        setattr(view, ATTRIBUTE, policy)
        return view

    return declare


def policy_for(url_name: str, view: Callable[..., object] | None = None) -> str | None:
    """The declared policy of a route (its view's ``@access`` first, then the table)."""
    declared = getattr(view, ATTRIBUTE, None) if view is not None else None
    if isinstance(declared, str):
        return declared
    return ROUTE_POLICIES.get(url_name)
