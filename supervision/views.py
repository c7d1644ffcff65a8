"""The supervision group's pages (P5.1): its home, inspection plans with their checklists,
samples and grades, partner visits, findings and the corrective actions raised from them.

Supervision writes only here; managers and staff read and answer the findings addressed to
their department.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.choices import choice_label, choice_labels
from crm.concurrency import StaleEdit, refuse_stale
from crm.filters import select_options
from crm.forms import form_data, query_int, querystring_without
from crm.lists import render_list
from crm.models import CorrectiveAction, Department
from crm.roles import role_required
from crm.selectors import actions_for_source, corrective_actions_visible_to
from crm.uploads import file_response

from . import coverage, report_exports, selectors, services
from .clauses import BY_CODE
from .filters import FindingFilter
from .forms import (
    ActionForm,
    ChecklistFormSet,
    CoverageTargetForm,
    FindingForm,
    FindingResponseForm,
    GradeForm,
    PlanForm,
    ReportCorrectionForm,
    ReportCreateForm,
    ReportItemForm,
    ReportTextForm,
    SampleForm,
    VisitForm,
)
from .models import (
    AnnualReport,
    CoverageTarget,
    Finding,
    Grade,
    InspectionPlan,
    ReportPlanItem,
    Sample,
    SampleItem,
    Visit,
)
from .sampling import KINDS, kind_label

FINDING_SELECTS = ("status", "severity", "clause", "department", "sort")


def _supervisor(request: HttpRequest) -> None:
    if not selectors.may_supervise(request.user):
        raise PermissionDenied


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@role_required()
def home(request: HttpRequest) -> HttpResponse:
    """The supervision group's home: open inspections, findings awaiting a response, the
    findings' corrective actions by state and those awaiting verification, partners due a
    visit."""
    _supervisor(request)
    plans = list(
        selectors.plans_with_progress().exclude(status=InspectionPlan.Status.CLOSED).order_by("planned_on", "pk")[:10]
    )
    awaiting = list(
        Finding.objects.filter(status=Finding.Status.AWAITING_RESPONSE)
        .select_related("department")
        .order_by("response_due", "pk")[:10]
    )
    to_verify = list(
        corrective_actions_visible_to(request.user)
        .filter(state="responded")
        .select_related("department", "owner")
        .order_by("responded_at", "pk")[:10]
    )
    counts = Finding.objects.aggregate(
        awaiting=Count("pk", filter=Q(status=Finding.Status.AWAITING_RESPONSE)),
        responded=Count("pk", filter=Q(status=Finding.Status.RESPONDED)),
    )
    return render(
        request,
        "supervision/home.html",
        {
            "plans": plans,
            "awaiting": awaiting,
            "to_verify": to_verify,
            "counts": counts,
            "action_counts": selectors.finding_action_counts(),
            "finding_type_id": ContentType.objects.get_for_model(Finding).pk,
            "due_visits": list(selectors.partners_due_a_visit()),
            "today": timezone.localdate(),
            "severities": choice_labels(Finding.Severity),
        },
    )


# --- Plans -----------------------------------------------------------------------------------


@role_required()
def plan_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    plans = selectors.plans_with_progress().order_by("-year", "-planned_on", "-pk")
    page = Paginator(plans, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    statuses, schedules = choice_labels(InspectionPlan.Status), choice_labels(InspectionPlan.Schedule)
    for plan in page.object_list:
        plan.status_label, plan.schedule_label = statuses[plan.status], schedules[plan.schedule]
    return render(request, "supervision/plan_list.html", {"page": page})


@role_required()
def plan_create(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = PlanForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                data=form.plan_data(), departments=form.cleaned_data["departments"], by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Inspection plan created, with the policy's checklist."))
            return redirect(plan)
    return render(request, "supervision/plan_form.html", {"form": form})


@role_required()
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    plan = get_object_or_404(InspectionPlan, pk=pk)
    form = PlanForm(form_data(request), instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                plan=plan, data=form.plan_data(), departments=form.cleaned_data["departments"], by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Inspection plan saved."))
            return redirect(plan)
    return render(request, "supervision/plan_form.html", {"form": form, "plan": plan})


@role_required()
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    plan = get_object_or_404(selectors.plans_with_progress().prefetch_related("departments"), pk=pk)
    return render(
        request,
        "supervision/plan_detail.html",
        {
            "plan": plan,
            "editable": plan.status != InspectionPlan.Status.CLOSED,
            "checklist": list(plan.checklist.all()),
            "samples": [
                (sample, kind_label(sample.kind)) for sample in selectors.samples_with_progress(plan).order_by("pk")
            ],
            "findings": list(plan.findings.select_related("department").order_by("-pk")),
            "visits": list(plan.visits.select_related("partner").order_by("-visited_on")[:20]),
            "sample_form": SampleForm(),
            "severities": choice_labels(Finding.Severity),
        },
    )


@role_required()
def plan_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    plan = get_object_or_404(InspectionPlan, pk=pk)
    formset = ChecklistFormSet(form_data(request), instance=plan, queryset=plan.checklist.all())
    if request.method == "POST" and formset.is_valid():
        try:
            services.checklist_save(plan=plan, formset=formset, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Checklist saved. Earlier wording stays in each item's history."))
            return redirect(plan)
    return render(request, "supervision/plan_checklist.html", {"plan": plan, "formset": formset})


@role_required()
@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    plan = get_object_or_404(InspectionPlan, pk=pk)
    try:
        services.plan_close(plan=plan, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Inspection closed."))
    return redirect(plan)


# --- Samples ---------------------------------------------------------------------------------


@role_required()
def sample_create(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    plan = get_object_or_404(InspectionPlan, pk=pk)
    form = SampleForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            sample = services.sample_draw(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(count)d records drawn with seed %(seed)d.") % {"count": sample.size, "seed": sample.seed},
            )
            return redirect(sample)
    return render(request, "supervision/sample_form.html", {"plan": plan, "form": form})


@role_required()
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    sample = get_object_or_404(Sample.objects.select_related("plan", "drawn_by"), pk=pk)
    items = list(
        sample.items.select_related("department", "checklist_item", "graded_by").prefetch_related("record__partner")
    )
    grades = choice_labels(Grade)
    spec = KINDS.get(sample.kind)
    for item in items:
        item.grade_label = grades.get(item.grade, "")
        item.url = spec.url(item.record) if spec and item.record is not None else ""
    graded = sum(1 for item in items if item.grade)
    return render(
        request,
        "supervision/sample_detail.html",
        {
            "sample": sample,
            "plan": sample.plan,
            "kind_label": kind_label(sample.kind),
            "items": items,
            "graded": graded,
            "percent": round(100 * graded / len(items)) if items else 0,
            "editable": sample.plan.status != InspectionPlan.Status.CLOSED,
        },
    )


@role_required()
def sample_item_grade(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    item = get_object_or_404(SampleItem.objects.select_related("sample__plan"), pk=pk)
    form = GradeForm(form_data(request), instance=item, plan=item.sample.plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.sample_item_grade(
                item=item,
                grade=form.cleaned_data["grade"],
                checklist_item=form.cleaned_data["checklist_item"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Grade saved."))
            following = item.sample.items.filter(position__gt=item.position, grade="").order_by("position").first()
            return redirect("supervision:grade", pk=following.pk) if following else redirect(item.sample)
    return render(request, "supervision/grade_form.html", {"item": item, "sample": item.sample, "form": form})


# --- Visits ----------------------------------------------------------------------------------


@role_required()
def visit_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    visits = Visit.objects.select_related("partner", "visited_by", "plan").order_by("-visited_on", "-pk")
    page = Paginator(visits, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/visit_list.html", {"page": page})


@role_required()
def visit_create(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    initial = {}
    if partner_id := query_int(request.GET.get("partner")):
        initial["partner"] = partner_id
    if plan_id := query_int(request.GET.get("plan")):
        initial["plan"] = plan_id
    form = VisitForm(form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("partner", "plan")}
        try:
            visit = services.visit_record(
                partner=form.cleaned_data["partner"], plan=form.cleaned_data["plan"], data=data, by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Visit recorded; it is on the partner's timeline."))
            return redirect(visit.plan or "supervision:visit_list")
    return render(request, "supervision/visit_form.html", {"form": form})


# --- Findings --------------------------------------------------------------------------------


@role_required()
def finding_list(request: HttpRequest) -> HttpResponse:
    flt = FindingFilter(request.GET, queryset=selectors.findings_visible_to(request.user), request=request)
    page = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    severities, statuses = choice_labels(Finding.Severity), choice_labels(Finding.Status)
    for finding in page.object_list:
        finding.severity_label, finding.status_label = severities[finding.severity], statuses[finding.status]
    context = {
        "filter": flt,
        "page": page,
        "selects": select_options(flt, FINDING_SELECTS),
        "querystring": querystring_without(request, "page"),
        "may_supervise": selectors.may_supervise(request.user),
    }
    return render_list(request, "supervision/finding_list.html", context, results="supervision/_finding_table.html")


@role_required()
def finding_create(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    plan = None
    if plan_id := query_int(request.GET.get("plan") or request.POST.get("plan")):
        plan = InspectionPlan.objects.filter(pk=plan_id).first()
    form = FindingForm(form_data(request), plan=plan)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "evidence"}
        try:
            finding = services.finding_record(data=data, evidence=form.cleaned_data["evidence"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Finding recorded; the department's managers are told."))
            return redirect(finding)
    return render(request, "supervision/finding_form.html", {"form": form, "plan": plan})


def _finding_page(request: HttpRequest, finding: Finding, **forms) -> HttpResponse:
    may_supervise = selectors.may_supervise(request.user)
    open_finding = finding.status != Finding.Status.CLOSED
    context = {
        "finding": finding,
        "evidence": list(finding.evidence.select_related("sample")),
        "actions": list(actions_for_source(finding).select_related("owner", "department")),
        "may_supervise": may_supervise,
        "may_respond": selectors.may_respond_to_finding(request.user, finding),
        "may_close": may_supervise and finding.status == Finding.Status.RESPONDED,
        "severity_label": choice_labels(Finding.Severity)[finding.severity],
        "status_label": choice_labels(Finding.Status)[finding.status],
        "response_form": forms.get("response_form") or FindingResponseForm(initial={"response": finding.response}),
        "action_form": (forms.get("action_form") or ActionForm(department_id=finding.department_id))
        if may_supervise and open_finding
        else None,
    }
    return render(request, "supervision/finding_detail.html", context)


@role_required()
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_page(request, selectors.finding_get_for_user(user=request.user, pk=pk))


@role_required()
@require_POST
def finding_respond(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get_for_user(user=request.user, pk=pk)
    if not selectors.may_respond_to_finding(request.user, finding):
        raise PermissionDenied
    form = FindingResponseForm(request.POST)
    if form.is_valid():
        try:
            services.finding_respond(finding=finding, response=form.cleaned_data["response"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Response recorded; supervision will review it."))
            return redirect(finding)
    return _finding_page(request, finding, response_form=form)


@role_required()
@require_POST
def finding_close(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    finding = selectors.finding_get_for_user(user=request.user, pk=pk)
    try:
        services.finding_close(finding=finding, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Finding closed."))
    return redirect(finding)


@role_required()
@require_POST
def finding_action(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    finding = selectors.finding_get_for_user(user=request.user, pk=pk)
    form = ActionForm(request.POST, department_id=finding.department_id)
    if form.is_valid():
        try:
            services.finding_raise_action(finding=finding, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Corrective action raised; its owner is told."))
            return redirect(finding)
    return _finding_page(request, finding, action_form=form)


# --- Policy coverage (issue #11 §3) -----------------------------------------------------------


def _coverage_scope(request: HttpRequest) -> tuple[int, int | None, list]:
    """The year (a refused one: a message and the current year) and the department the user
    may read (``selectors.coverage_department_for``), with the departments to choose from."""
    today = timezone.localdate()
    raw_year = request.GET.get("year", "")
    year = query_int(raw_year, low=None, high=None)
    if raw_year.strip() and not coverage.valid_year(year, today):
        messages.warning(
            request,
            _("There are no figures for the year “%(year)s” (%(first)s to %(last)s): showing %(shown)s.")
            % {"year": raw_year[:20], "first": coverage.YEAR_MIN, "last": today.year, "shown": today.year},
        )
        year = None
    requested = query_int(request.GET.get("department"))
    department_id = selectors.coverage_department_for(request.user, requested)
    departments = [(d.pk, d.display_name) for d in Department.objects.order_by("name").only("pk", "name", "name_zh")]
    if department_id is not None and department_id not in {pk for pk, _name in departments}:
        raise Http404
    return year or today.year, department_id, departments


@role_required()
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Policy coverage for a year: one row per clause (P3.1–P4.4.3) with the measured
    evidence, for one department or all, against supervision's targets; by department below.
    A fixed number of queries (supervision/coverage.py)."""
    year, department_id, departments = _coverage_scope(request)
    data = coverage.coverage(year=year, department_id=department_id, shared=True)
    names = dict(departments)
    by_department = []
    if department_id is None:
        shown = [pk for pk, _name in departments]
        for measure in coverage.MEASURES:
            if measure.is_rate:
                figures = data.by_department[measure.key]
                by_department.append((measure, [(pk, figures.get(pk)) for pk in shown]))
    return render(
        request,
        "supervision/coverage.html",
        {
            "data": data,
            "year": year,
            "years": coverage.year_choices(),
            "department_id": department_id,
            "department_name": names.get(department_id, ""),
            "departments": departments,
            "by_department": by_department,
            "may_choose_department": selectors.may_supervise(request.user),
            "may_set_targets": selectors.may_supervise(request.user),
            "contact_days": settings.RAPPORT_STALE_CONTACT_DAYS,
        },
    )


@role_required()
def coverage_measure(request: HttpRequest, key: str) -> HttpResponse:
    """The records behind one figure: the measure's population for the year (and
    department), failed first, each linking to its page."""
    measure = coverage.BY_KEY.get(key)
    if measure is None:
        raise Http404
    year, department_id, departments = _coverage_scope(request)
    outcome = request.GET.get("outcome", "")
    if outcome not in ("passed", "failed"):
        outcome = ""
    records = coverage.measure_records(measure=measure, year=year, department_id=department_id, outcome=outcome)
    page = Paginator(records, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(departments)
    rows = [coverage.as_record(measure, obj, names) for obj in page.object_list]
    return render(
        request,
        "supervision/coverage_measure.html",
        {
            "measure": measure,
            "clause": BY_CODE[measure.clause],
            "help": coverage.measure_help(measure),
            "year": year,
            "department_id": department_id,
            "department_name": names.get(department_id, ""),
            "outcome": outcome,
            "page": page,
            "rows": rows,
            "querystring": querystring_without(request, "page"),
            "scope": querystring_without(request, "page", "outcome"),
        },
    )


@role_required()
def coverage_targets(request: HttpRequest) -> HttpResponse:
    """Supervision's targets for every percentage, and the history of their changes."""
    _supervisor(request)
    targets = {t.measure: t for t in CoverageTarget.objects.select_related("updated_by")}
    rows = [(m, targets.get(m.key)) for m in coverage.MEASURES if m.is_rate]
    history = list(CoverageTarget.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
    labels = {m.key: m.label for m in coverage.MEASURES}
    for entry in history:
        entry.measure_label = labels.get(entry.measure, entry.measure)
    return render(request, "supervision/coverage_targets.html", {"rows": rows, "history": history})


@role_required()
def coverage_target_edit(request: HttpRequest, key: str) -> HttpResponse:
    _supervisor(request)
    measure = coverage.BY_KEY.get(key)
    if measure is None or not measure.is_rate:
        raise Http404
    target = CoverageTarget.objects.filter(measure=key).first()
    form = CoverageTargetForm(form_data(request), instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_target_set(
                measure=key,
                target=form.cleaned_data["target"],
                amber_margin=form.cleaned_data["amber_margin"],
                by=request.user,
                version=getattr(form, "version", None),
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect("supervision:coverage_targets")
    return render(
        request, "supervision/coverage_target_form.html", {"form": form, "measure": measure, "target": target}
    )


# --- The annual satisfaction report (P5.2) ----------------------------------------------------


REPORT_FILES = {
    "pdf-en": ("pdf_en", "en"),
    "pdf-zh": ("pdf_zh", "zh"),
    "xlsx": ("xlsx", "en"),  # the address of versions published before the Chinese spreadsheet
    "xlsx-en": ("xlsx", "en"),
    "xlsx-zh": ("xlsx_zh", "zh"),
}


def _report_message(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@role_required()
def report_list(request: HttpRequest) -> HttpResponse:
    """Every version by year (supervision); published versions only for managers and staff."""
    reports = selectors.reports_visible_to(request.user).select_related("published_by").order_by("-year", "-version")
    page = Paginator(reports, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    states = choice_labels(AnnualReport.State)
    for report in page.object_list:
        report.state_label = states[report.state]
    may_supervise = selectors.may_supervise(request.user)
    form = ReportCreateForm(initial={"year": timezone.localdate().year - 1}) if may_supervise else None
    return render(request, "supervision/report_list.html", {"page": page, "form": form, "may_supervise": may_supervise})


@role_required()
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = ReportCreateForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_create(year=form.cleaned_data["year"], by=request.user)
        except ValidationError as exc:
            _report_message(request, exc)
        else:
            messages.success(request, _("Report created: its figures are being generated."))
            return redirect(report)
    else:
        messages.error(request, _("Choose a year between 2000 and 2100."))
    return redirect("supervision:report_list")


@role_required()
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Rendered from the version's snapshot only: no query for the figures."""
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    may_supervise = selectors.may_supervise(request.user)
    draft = report.state == AnnualReport.State.DRAFT
    items = list(report.items.select_related("department", "owner", "action").order_by("position", "pk"))
    action_states = choice_labels(CorrectiveAction.State)
    for item in items:
        item.action_state = action_states.get(item.action.state) if item.action_id else ""
    figures = report.figures
    context = {
        "report": report,
        "year_before": report.year - 1,
        "state_label": choice_label(AnnualReport.State, report.state),
        "generation_label": choice_label(AnnualReport.Generation, report.generation),
        # Computed only when the page renders them: a frozen version's tables and charts are
        # cached by version and language (they never change), so its page costs a list page's.
        "sections": partial(report_exports.present, figures),
        "has_data": figures.get("has_data"),
        "charts": partial(report_exports.chart_data, figures),
        "body_cache_key": f"{report.pk}.{report.version}" if report.is_frozen else "",
        "summary": report.summary_zh
        if (translation.get_language() or "").startswith("zh") and report.summary_zh
        else report.summary,
        "items": items,
        "may_supervise": may_supervise,
        "may_edit": may_supervise and draft,
        "text_form": ReportTextForm(initial={"summary": report.summary, "summary_zh": report.summary_zh})
        if may_supervise and draft
        else None,
        "item_form": ReportItemForm() if may_supervise and draft else None,
        "versions": list(
            selectors.reports_visible_to(request.user).filter(year=report.year).only("pk", "version", "state")
        ),
        "pdf_problem": report_exports.pdf_unavailable() if may_supervise and not report.is_frozen else "",
    }
    return render(request, "supervision/report_detail.html", context)


@role_required()
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the page polls while the figures are generated; once they are,
    htmx reloads the page (HX-Refresh)."""
    _supervisor(request)
    report = get_object_or_404(
        AnnualReport.objects.only("pk", "state", "generation", "progress", "generation_error"), pk=pk
    )
    response = render(
        request,
        "supervision/report_status.html",
        {"report": report, "generation_label": choice_label(AnnualReport.Generation, report.generation)},
    )
    if request.htmx and not report.is_generating:
        response["HX-Refresh"] = "true"
    return response


def _draft_write(request: HttpRequest, pk: int, write, success: str) -> HttpResponse:
    _supervisor(request)
    report = get_object_or_404(AnnualReport, pk=pk)
    try:
        write(report)
    except ValidationError as exc:
        _report_message(request, exc)
    else:
        messages.success(request, success)
    return redirect(report)


@role_required()
@require_POST
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReportTextForm(request.POST)
    if not form.is_valid():
        _supervisor(request)
        messages.error(request, _("The summary is too long."))
        return redirect("supervision:report_detail", pk=pk)
    return _draft_write(
        request,
        pk,
        lambda report: services.report_update(report=report, by=request.user, **form.cleaned_data),
        _("Summary saved."),
    )


@role_required()
@require_POST
def report_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    form = ReportItemForm(request.POST)
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, " ".join(problems))
        return redirect("supervision:report_detail", pk=pk)
    return _draft_write(
        request,
        pk,
        lambda report: services.report_item_add(report=report, data=form.cleaned_data, by=request.user),
        _("Improvement added to the plan."),
    )


@role_required()
@require_POST
def report_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    item = get_object_or_404(ReportPlanItem.objects.select_related("report"), pk=pk)
    try:
        services.report_item_remove(item=item, by=request.user)
    except ValidationError as exc:
        _report_message(request, exc)
    else:
        messages.success(request, _("Improvement removed from the plan."))
    return redirect(item.report)


@role_required()
@require_POST
def report_generate(request: HttpRequest, pk: int) -> HttpResponse:
    return _draft_write(
        request,
        pk,
        lambda report: services.report_generate_request(report=report, by=request.user),
        _("The figures are being generated."),
    )


@role_required()
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _draft_write(
        request, pk, lambda report: services.report_submit(report=report, by=request.user), _("Submitted for review.")
    )


@role_required()
@require_POST
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _draft_write(
        request, pk, lambda report: services.report_return(report=report, by=request.user), _("Back in draft.")
    )


@role_required()
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _draft_write(
        request,
        pk,
        lambda report: services.report_publish(report=report, by=request.user),
        _("Report published: its figures, text and files are frozen."),
    )


@role_required()
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    report = get_object_or_404(AnnualReport, pk=pk)
    form = ReportCorrectionForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.report_correct(report=report, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Version %(version)d created, in draft.") % {"version": correction.version})
            return redirect(correction)
    return render(request, "supervision/report_correct.html", {"report": report, "form": form})


@role_required()
def report_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A published version's frozen file, as an attachment, to whoever may read the version."""
    if kind not in REPORT_FILES:
        raise Http404
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    field, language = REPORT_FILES[kind]
    stored = getattr(report, field)
    if not stored:
        raise Http404
    suffix = f"-{language}" if language else ""
    return file_response(stored, download_name=f"rapport-report-{report.year}-v{report.version}{suffix}")
