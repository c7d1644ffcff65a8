"""Pages of the partnership pipeline (P4.3.1): the list by stage, and a move's confirmation.

Access → form → service → message → redirect, as in partners/views.py. The partner's page
shows the pipeline card (``selectors.pipeline_panel``, registered in apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.filters import select_options
from crm.forms import form_data as _post
from crm.forms import querystring_without, show_refusal
from crm.lists import render_list
from crm.roles import role_required
from partners import selectors as partner_selectors
from partners.models import Family

from . import selectors, services
from .filters import PIPELINE_SELECTS, STAGE_TABS, PipelineFilter
from .forms import PartnershipMoveForm
from .models import Stage

# What each move does beyond the pipeline, said on its confirmation page.
MOVE_EFFECTS = {
    Stage.ASSESSED: gettext_lazy("The partner's assessment is complete and reviewed."),
    Stage.NEGOTIATING: gettext_lazy("We are negotiating the cooperation with this partner."),
    Stage.ACTIVE: gettext_lazy("The partner becomes active in the registry."),
    Stage.REJECTED: gettext_lazy("The partner is not taken on: its registry status becomes terminated."),
    Stage.IDENTIFIED: gettext_lazy("The partner is reconsidered from the beginning: it becomes a candidate again."),
}


@role_required()
def pipeline(request: HttpRequest) -> HttpResponse:
    """Prospective partners by stage (P4.3.1): search, department, sorting, pagination."""
    flt = PipelineFilter(request.GET, queryset=selectors.pipeline_for_user(user=request.user))
    counts = selectors.stage_counts(flt.without_stage())
    paginator = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.attach_stage_labels(list(page.object_list))
    current = flt.current_stage()
    context = {
        "filter": flt,
        "selects": select_options(flt, PIPELINE_SELECTS),
        "page": page,
        "tabs": [(value, label, counts[value], value == current) for value, label in STAGE_TABS],
        "stage": current,
        "querystring": querystring_without(request, "page"),
        "tab_querystring": querystring_without(request, "page", "stage"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort", "stage")),
        "Stage": Stage,
    }
    return render_list(request, "partnerships/pipeline.html", context, results="partnerships/_pipeline_table.html")


@role_required(write=True)
def partnership_move(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """GET asks to confirm the move (with a note, or the reason when rejecting); POST moves.
    The partner's department managers only (P4.3.1)."""
    partner = partner_selectors.partner_get_for_user(user=request.user, pk=pk)
    if partner.family != Family.PARTNER or stage not in Stage.values:
        raise Http404
    if not selectors.may_move_partnership(request.user, partner):
        raise PermissionDenied
    row = selectors.partnership_for(partner)
    current = selectors.partner_stage(partner, row)
    form = PartnershipMoveForm(_post(request), to_stage=stage, initial={"expected": current})
    problem = ""
    if request.method != "POST":
        # Said before the user types anything; a refused POST shows the form with the refusal.
        problem = selectors.stage_move_problem(partner=partner, current=current, to_stage=stage, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partnership_move(
                partner_id=partner.pk,
                to_stage=stage,
                by=request.user,
                expected_stage=data["expected"],
                note=data.get("note", ""),
                reason=data.get("reason", ""),
            )
        except ValidationError as exc:
            show_refusal(form, exc)
            # The page shows the stage the partner is at now: a second submit acts on that.
            form.data = form.data.copy()
            form.data["expected"] = current or ""
        else:
            messages.success(
                request,
                _("%(name)s is now at the stage “%(stage)s”.") % {"name": partner.name, "stage": Stage(stage).label},
            )
            return redirect(partner.get_absolute_url() + "#pipeline")
    return render(
        request,
        "partnerships/move_confirm.html",
        {
            "partner": partner,
            "form": form,
            "current_label": Stage(current).label if current else "",
            "to_label": Stage(stage).label,
            "effect": MOVE_EFFECTS[stage],
            "problem": problem,
            "rejecting": stage == Stage.REJECTED,
        },
    )
