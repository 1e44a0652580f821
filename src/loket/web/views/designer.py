"""Service designers: read a procedure's form definition, change it, and publish a new version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.core.models import Membership, User
from loket.forms.actions import DefinitionRefused, do_publish_definition
from loket.forms.definitions import DEFINITIONS_DIR, get_definition
from loket.forms.models import DefinitionVersion
from loket.web.region import REGION_STAFF
from loket.web.statements import reports_to_answer
from loket.web.views.doors import may_configure_doors


def designable(user: User) -> list[Procedure]:
    """The procedures whose forms ``user`` may change: their administration's, or all of them
    for the region's designers."""
    owned = list(
        user.memberships.filter(role=Membership.Role.DESIGNER).values_list(
            "administration_id", flat=True
        )
    )
    if not owned:
        raise PermissionDenied
    procedures = Procedure.objects.all()
    if REGION_STAFF not in owned:  # the region's IT centre designs for every administration
        procedures = procedures.filter(
            Q(administration_id__in=owned)
            | Q(administration__isnull=True, owner_kind="municipality")
        )
    return list(procedures)


def _current_source(procedure: Procedure) -> str:
    stored = DefinitionVersion.objects.filter(procedure=procedure).order_by("-version").first()
    if stored is not None:
        return stored.source
    path = DEFINITIONS_DIR / f"{procedure.id}.yaml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@login_required
def index(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    rows = [(p, get_definition(p.id)) for p in designable(request.user)]
    region = may_configure_doors(request.user)
    context = {
        "rows": rows,
        "configures_doors": region,
        "reports_to_answer": reports_to_answer() if region else 0,
    }
    return render(request, "web/designer/index.html", context)


@login_required
def edit(request: HttpRequest, procedure_id: str) -> HttpResponse:
    assert isinstance(request.user, User)
    allowed = {p.id for p in designable(request.user)}
    if procedure_id not in allowed:
        raise Http404
    procedure = get_object_or_404(Procedure, id=procedure_id)
    source = request.POST.get("source", "") if request.method == "POST" else ""
    problems: list[str] = []
    if request.method == "POST":
        try:
            published = do_publish_definition(procedure, source, request.user)
        except DefinitionRefused as refused:
            problems = refused.problems
        else:
            messages.success(
                request, _("Version %(version)s is published.") % {"version": published.version}
            )
            return redirect("web:designer-edit", procedure_id=procedure.id)
    current = get_definition(procedure.id)
    return render(
        request,
        "web/designer/edit.html",
        {
            "procedure": procedure,
            "source": source or _current_source(procedure),
            "current_version": current.version if current else 0,
            "versions": DefinitionVersion.objects.filter(procedure=procedure),
            "problems": problems,
        },
        status=422 if problems else 200,
    )
