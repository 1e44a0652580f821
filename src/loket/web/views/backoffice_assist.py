"""The back-office's side of the assistant: re-routing a report to another category."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.assist.actions import CannotReroute, do_reroute
from loket.cases.actions import UnfitText
from loket.cases.selectors import get_case_for_agent
from loket.core.models import Administration
from loket.web.views.backoffice import case_page
from loket.web.views.backoffice_queue import back_office_agent


@login_required
@require_POST
def reroute(request: HttpRequest, reference: str) -> HttpResponse:
    agent = back_office_agent(request)
    case = get_case_for_agent(agent, reference)
    category = request.POST.get("category", "")[:40]
    reason = request.POST.get("reason", "")
    try:
        rerouting = do_reroute(case, category, agent, reason)
    except CannotReroute:
        problem, field = _("Choose another category for this open report."), "category"
    except UnfitText as unfit:
        problem, field = unfit.message, "reason"
    else:
        if rerouting.to_administration != rerouting.from_administration:
            # Named from the re-routing: the case read above is the one from before the move.
            name = Administration.objects.get(pk=rerouting.to_administration).name
            messages.success(
                request,
                _("The report has a new category and was passed to %(name)s.") % {"name": name},
            )
            return redirect("web:backoffice")
        messages.success(request, _("The report has a new category."))
        return redirect(reverse("web:backoffice-case", args=[case.reference]) + "#suggestion")
    # Refused: the case page again, why beside the form, and what was typed kept.
    typed = {"category": category, "reason": reason, "problem": problem, "field": field}
    return case_page(request, agent, case, status=422, reroute=typed)
