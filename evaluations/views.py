"""Supplier scorecard pages (P4.1.1, P4.1.3, P4.3.1): overview, scorecard, evaluation,
scoring sheet; writes go through evaluations.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from crm.csv_export import csv_response, xlsx_response
from crm.forms import form_data, query_date, query_int, querystring_without
from crm.roles import role_required
from crm.selectors import departments
from partners.forms import active_colleagues
from partners.models import Tier
from partners.selectors import partner_get_for_user

from . import scoring, selectors, services
from .filters import RankingFilter
from .forms import ActionFormSet, CloseForm, DecisionForm, IncentiveForm, SheetForm
from .models import Evaluation, Purpose, ScorecardTemplate, StandingCode


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Manager overview ---------------------------------------------------------------------------


RANKING_ROWS = 50  # on screen; the exports contain every ranked supplier


def _overview_filters(request: HttpRequest) -> dict:
    templates = selectors.ranking_templates()
    flt = RankingFilter(request.GET, templates=templates)
    chosen = flt.chosen("template")
    template = next((t for t in templates if t.pk == chosen), templates[0] if templates else None)
    periods = []
    if template is not None:
        start, _end = scoring.period_for(timezone.localdate(), template.cadence)
        for _i in range(8):  # the current period and the 7 before it
            periods.append((start.isoformat(), scoring.period_label(start, template.cadence)))
            start = scoring.previous_period(start, template.cadence)[0]
    period = flt.chosen("period")
    return {
        "templates": templates,
        "template": template,
        "periods": periods,
        # Only a period of the chosen scorecard's cadence.
        "period": period.isoformat() if period and period.isoformat() in dict(periods) else None,
        "department_id": flt.chosen("department"),
        "tier": flt.chosen("tier"),
        "standing": flt.chosen("standing"),
    }


@role_required()
def overview(request: HttpRequest) -> HttpResponse:
    """Ranking by overall score, standings, biggest movers, what needs attention (P4.1.1)."""
    f = _overview_filters(request)
    template = f["template"]
    fmt = request.GET.get("format")
    if template is None:
        rows, distribution, movers, figures_key = [], {}, [], None
    else:
        chosen = {
            "template": template,
            "department_id": f["department_id"],
            "tier": f["tier"],
            "standing": f["standing"],
            "period": query_date(f["period"]),
        }
        if fmt in ("csv", "xlsx"):
            return _export(selectors.ranking(**chosen, limit=None), template, fmt)
        figures = selectors.overview_figures(**chosen, limit=RANKING_ROWS)
        rows, distribution, movers, figures_key = (figures[k] for k in ("rows", "distribution", "movers", "key"))
    return render(
        request,
        "evaluations/overview.html",
        {
            **f,
            "rows": rows,
            "distribution": [(code, distribution.get(code, 0)) for code in [*StandingCode.values, ""]],
            "movers": movers,
            "figures_key": figures_key,
            "attention": selectors.evaluations_needing_attention(user=request.user),
            "to_score": list(selectors.sheets_to_score_for_user(user=request.user)[:10]),
            "departments": departments(),
            "tiers": Tier.choices,
            "standings": selectors.standing_choices(),
            "querystring": querystring_without(request, "format"),
        },
    )


EXPORT_HEADER = (
    gettext_noop("Rank"),
    gettext_noop("Supplier"),
    gettext_noop("Department"),
    gettext_noop("Tier"),
    gettext_noop("Overall score"),
    gettext_noop("Overall standing"),
    gettext_noop("Latest score"),
    gettext_noop("Latest standing"),
    gettext_noop("Rated periods"),
    gettext_noop("Incentives"),
)


def _export(rows, template: ScorecardTemplate, fmt: str) -> HttpResponse:
    header = [_(h) for h in EXPORT_HEADER]
    data = [
        [
            i,
            r.partner.name,
            r.partner.department.display_name,
            r.partner.get_tier_display(),
            r.overall_score,
            r.overall_standing,
            getattr(r, "latest_score", r.score if hasattr(r, "score") else None),
            getattr(r, "latest_standing", getattr(r, "standing", "")),
            getattr(r, "rated_periods", ""),
            ", ".join(str(x.get_kind_display()) for x in r.current_incentives),
        ]
        for i, r in enumerate(rows, start=1)
    ]
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        return csv_response(filename=f"rapport-ranking-{stamp}.csv", header=header, rows=data)
    return xlsx_response(filename=f"rapport-ranking-{stamp}.xlsx", header=header, rows=data, title="Ranking")


# --- Scorecard of one partner ------------------------------------------------------------------


@role_required()
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_get_for_user(user=request.user, pk=pk)
    card = selectors.supplier_scorecard(partner=partner, template_id=query_int(request.GET.get("template")))
    trend = {
        "labels": [p.label for p in card.trend],
        "scores": [float(p.score) if p.score is not None else None for p in card.trend],
        "overall": [float(p.overall_score) if p.overall_score is not None else None for p in card.trend],
    }
    return render(
        request,
        "evaluations/scorecard.html",
        {
            "partner": partner,
            "card": card,
            "today": timezone.localdate(),
            "trend": trend,
            "may_decide": selectors.may_decide_evaluation(request.user, partner),
            "can_open": selectors.can_open_evaluation(request.user, partner),
            "screening_templates": selectors.screening_templates(partner.family),
        },
    )


@role_required(write=True)
@require_POST
def screening_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a screening evaluation of a candidate supplier, scored by the person opening it."""
    partner = partner_get_for_user(user=request.user, pk=pk)
    if not selectors.can_open_evaluation(request.user, partner):
        raise PermissionDenied
    template = ScorecardTemplate.objects.filter(
        pk=query_int(request.POST.get("template")), purpose=Purpose.SCREENING
    ).first()
    if template is None:
        messages.error(request, _("Choose a screening scorecard."))
        return redirect("evaluations:scorecard", pk=partner.pk)
    try:
        evaluation, _created = services.evaluation_open(
            partner=partner,
            template=template,
            period=timezone.localdate(),
            evaluators=[request.user],
            opened_by=request.user,
        )
    except ValidationError as exc:
        _error(request, exc)
        return redirect("evaluations:scorecard", pk=partner.pk)
    return redirect("evaluations:detail", pk=evaluation.pk)


@role_required(write=True)
@require_POST
def assessment_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the partner assessment of a partner-family partner (P4.3.1), scored by the person
    starting it; it lands on their scoring sheet."""
    partner = partner_get_for_user(user=request.user, pk=pk)
    if not selectors.can_open_evaluation(request.user, partner):
        raise PermissionDenied
    template = (
        ScorecardTemplate.objects.filter(purpose=Purpose.PARTNER_ASSESSMENT, family=partner.family, is_active=True)
        .order_by("pk")
        .first()
    )
    if template is None:
        messages.error(request, _("There is no partner assessment scorecard for this family of partners."))
        return redirect(partner)
    try:
        evaluation, created = services.evaluation_open(
            partner=partner,
            template=template,
            period=timezone.localdate(),
            evaluators=[request.user],
            opened_by=request.user,
        )
    except ValidationError as exc:
        _error(request, exc)
        return redirect(partner)
    if created:
        messages.success(request, _("The partner assessment was started: score each criterion on your sheet."))
        sheet = evaluation.sheets.filter(evaluator=request.user).first()
        if sheet is not None:
            return redirect("evaluations:sheet", pk=sheet.pk)
    return redirect("evaluations:detail", pk=evaluation.pk)


# --- One evaluation ------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, evaluation: Evaluation) -> dict:
    sheets = list(evaluation.sheets.select_related("evaluator").order_by("pk"))
    may_decide = selectors.may_decide_evaluation(request.user, evaluation.partner)
    decisions = list(evaluation.decisions.select_related("approver").order_by("-decided_at"))
    decided_now = any(d.revision == evaluation.revision for d in decisions)
    incentive_eligible = selectors.evaluation_incentive_eligible(evaluation)
    plan, plan_actions = selectors.evaluation_action_plan(evaluation)
    is_open = evaluation.status == Evaluation.Status.OPEN
    return {
        "close_form": CloseForm(prefix="c") if is_open and may_decide else None,
        "period_not_ended": is_open and selectors.evaluation_period_not_ended(evaluation),
        "may_close_early": is_open and selectors.may_close_early(request.user, evaluation.partner),
        "plan": plan,
        "plan_actions": plan_actions,
        "evaluation": evaluation,
        "partner": evaluation.partner,
        "sheets": sheets,
        "my_sheet": next((s for s in sheets if s.evaluator_id == request.user.pk), None),
        "missing": [s for s in sheets if s.submitted_at is None],
        "may_decide": may_decide,
        "decisions": decisions,
        "incentives": list(evaluation.incentives.select_related("approved_by").order_by("-pk")),
        "explanation": selectors.snapshot_in_language(evaluation.snapshot)
        if evaluation.status == Evaluation.Status.CLOSED
        else None,
        "needs_decision": evaluation.status == Evaluation.Status.CLOSED and not decided_now and may_decide,
        "incentive_eligible": incentive_eligible,
        "can_propose_incentive": incentive_eligible and selectors.can_open_evaluation(request.user, evaluation.partner),
    }


@role_required()
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk)
    context = _detail_context(request, evaluation)
    if context["needs_decision"]:
        context["decision_form"] = DecisionForm(prefix="d", allow_reward=context["incentive_eligible"])
        context["action_formset"] = ActionFormSet(prefix="a", form_kwargs={"owners": active_colleagues()})
    if context["can_propose_incentive"]:
        today = timezone.localdate()
        context["incentive_form"] = IncentiveForm(
            prefix="i", initial={"starts_on": today, "ends_on": today.replace(year=today.year + 1)}
        )
    return render(request, "evaluations/evaluation_detail.html", context)


@role_required(write=True)
@require_POST
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close (freeze the result). Before the period ends only with a manager's override and
    a written reason; a refusal shows the page again with the message next to the field."""
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk, write=True)
    form = CloseForm(request.POST, prefix="c")
    if form.is_valid():
        try:
            services.evaluation_close(evaluation=evaluation, by=request.user, early_reason=form.reason_to_record())
        except ValidationError as exc:
            form.add_error("early" if exc.code == "period_not_ended" else None, exc)
        else:
            messages.success(request, _("The evaluation was closed: its result is frozen. Record the decision below."))
            return redirect("evaluations:detail", pk=pk)
    context = _detail_context(request, evaluation)
    context["close_form"] = form
    return render(request, "evaluations/evaluation_detail.html", context)


@role_required(write=True)
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what follows a closed evaluation (P4.1.1); C/D needs a corrective action plan."""
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk, write=True)
    form = DecisionForm(
        form_data(request), prefix="d", allow_reward=selectors.evaluation_incentive_eligible(evaluation)
    )
    formset = ActionFormSet(form_data(request), prefix="a", form_kwargs={"owners": active_colleagues()})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        actions = [
            services.ActionData(
                description=f.cleaned_data["description"],
                owner=f.cleaned_data["owner"],
                due_on=f.cleaned_data["due_on"],
            )
            for f in formset
            if f.cleaned_data.get("description")
        ]
        try:
            with transaction.atomic():
                services.decision_record(
                    evaluation=evaluation,
                    by=request.user,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    actions=actions,
                    re_evaluation_on=form.cleaned_data.get("re_evaluation_on"),
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("evaluations:detail", pk=pk)
    context = _detail_context(request, evaluation)
    context.update(decision_form=form, action_formset=formset, needs_decision=True)
    return render(request, "evaluations/evaluation_detail.html", context)


# --- Scoring sheet -------------------------------------------------------------------------------


@role_required()
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """An evaluator scores every criterion with evidence; submitting locks the sheet."""
    sheet_obj = selectors.sheet_get_for_user(user=request.user, pk=pk, write=request.method == "POST")
    evaluation = sheet_obj.evaluation
    criteria = list(evaluation.template.criteria.order_by("order", "pk"))
    existing = {s.criterion_id: s for s in sheet_obj.scores.all()}
    editable = sheet_obj.submitted_at is None and evaluation.status == Evaluation.Status.OPEN
    editable = editable and selectors.can_score_sheet(request.user, sheet_obj)
    form = SheetForm(form_data(request), criteria=criteria, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.sheet_save(sheet=sheet_obj, by=request.user, scores=form.scores())
                if "submit" in request.POST:
                    services.sheet_submit(sheet=sheet_obj, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if "submit" in request.POST:
                messages.success(request, _("Your sheet was submitted and is now locked. Thank you."))
                return redirect("evaluations:detail", pk=evaluation.pk)
            messages.success(request, _("Your scores were saved. Submit the sheet when it is complete."))
            return redirect("evaluations:sheet", pk=pk)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "evaluations/sheet.html",
        {
            "sheet": sheet_obj,
            "evaluation": evaluation,
            "partner": evaluation.partner,
            "form": form,
            "editable": editable,
        },
    )


# --- Incentives (P4.1.3) -----------------------------------------------------------------------


@role_required(write=True)
@require_POST
def incentive_propose(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk)
    if not selectors.can_open_evaluation(request.user, evaluation.partner):
        raise PermissionDenied
    form = IncentiveForm(request.POST, prefix="i")
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("evaluations:detail", pk=pk)
    try:
        services.incentive_propose(evaluation=evaluation, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The incentive was proposed; a manager of the department approves it."))
    return redirect("evaluations:detail", pk=pk)


def _incentive_decide(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    incentive = selectors.incentive_get_for_user(user=request.user, pk=pk, write=True)
    try:
        if approve:
            services.incentive_approve(incentive=incentive, by=request.user)
        else:
            services.incentive_reject(incentive=incentive, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The incentive was approved.") if approve else _("The incentive was rejected."))
    return redirect(reverse("evaluations:detail", args=[incentive.evaluation_id]))


@role_required(write=True)
@require_POST
def incentive_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _incentive_decide(request, pk, approve=True)


@role_required(write=True)
@require_POST
def incentive_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _incentive_decide(request, pk, approve=False)


@role_required(write=True)
@require_POST
def evaluation_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed evaluation to correct it: a reason is required, the previous result
    is kept (P3.1 records are never silently rewritten)."""
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk, write=True)
    try:
        services.evaluation_amend(evaluation=evaluation, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The evaluation was reopened; the previous result is kept in its history."))
    return redirect("evaluations:detail", pk=pk)


@role_required(write=True)
@require_POST
def screening_override(request: HttpRequest, pk: int) -> HttpResponse:
    """A department manager lets a candidate supplier activate without a passed screening,
    with a recorded reason (P4.1.1)."""
    partner = partner_get_for_user(user=request.user, pk=pk)
    if not selectors.may_decide_evaluation(request.user, partner):
        raise PermissionDenied
    try:
        services.screening_override(partner=partner, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Override recorded: the supplier can now be made active."))
    return redirect("evaluations:scorecard", pk=pk)
