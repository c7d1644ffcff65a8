"""Service case pages (P4.1.2, P4.2.2, P4.2.3) and the public complaint / suggestion form.

The public form needs no login: it gives a reference number shown once, and is protected by
CSRF, a body size limit, a rate limit per address and a honeypot field.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.csv_export import csv_response
from crm.filters import search_term
from crm.forms import form_data, query_int, querystring_without
from crm.lists import list_page, render_list, wants_list_results
from crm.panels import panels_for
from crm.public import MAX_BODY_BYTES, body_too_large, client_address, count_post, public_language, public_render
from crm.roles import role_required
from partners.filters import PartnerPickFilter, select_options
from partners.models import Contact, Family
from partners.selectors import partner_get_for_user, partner_list_for_user

from . import selectors, services, sla
from .filters import SLA_PERIODS, CaseFilter, SlaReportFilter
from .forms import (
    CaseAssignForm,
    CaseForm,
    CaseNoteForm,
    CaseTransitionForm,
    FeedbackForm,
)
from .models import CASE_TRANSITIONS, Case, CaseNote, CaseStatus

# --- Signed-in pages -----------------------------------------------------------------------


# --- Public survey page (no login) -----------------------------------------------------------


# --- Service cases (signed in) ---------------------------------------------------------------

CASE_SELECTS = ("state", "kind", "priority", "family", "department", "assignee", "sort")


def _case_filter(request: HttpRequest, *, instances: bool = True) -> CaseFilter:
    data = request.GET.copy()
    if "state" not in data and not any(data.get(k) for k in ("q", "partner")):
        data["state"] = "open"  # the working view: what still needs doing
    cases = selectors.case_list_for_user(user=request.user, instances=instances)
    return CaseFilter(data, queryset=cases, request=request)


@role_required()
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases with search, filters, sorting and pagination; time left on each deadline."""
    flt = _case_filter(request, instances=False)
    cases = flt.qs  # validates the form
    # A search counts up to its own cap, and reads the count and the page's ids at once.
    searched = bool(search_term(flt))
    page = list_page(
        request,
        cases,
        values=selectors.CASE_ROW_VALUES,
        cap=settings.RAPPORT_SEARCH_COUNT_CAP if searched else None,
        deferred=searched,
    )
    page.object_list = selectors.case_list_rows(page.object_list, now=timezone.now())
    context = {
        "filter": flt,
        "selects": select_options(flt, CASE_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("cases:case_export"),
    }
    if not wants_list_results(request):  # the header's counters are not part of the results
        context["may_open_case"] = selectors.may_open_case(request.user)
        context["counts"] = selectors.case_counts_for_user(user=request.user)
    return render_list(request, "cases/case_list.html", context, results="cases/_case_table.html")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _met(due, done) -> str:
    outcome = sla.met(due, done)
    return "" if outcome is None else (_("Met") if outcome else _("Late"))


@role_required()
def case_export(request: HttpRequest) -> StreamingHttpResponse:
    """The case list's current filter as CSV, streamed (for the supervision group, P5.1)."""
    flt = _case_filter(request)
    header = [
        _("Reference"),
        _("Opened"),
        _("Family"),
        _("Partner"),
        _("Department"),
        _("Type"),
        _("Channel"),
        _("Priority"),
        _("Status"),
        _("Assignee"),
        _("Subject"),
        _("First response due"),
        _("First response"),
        _("Response"),
        _("Resolution due"),
        _("Resolved"),
        _("Resolution"),
    ]
    rows = (
        (
            c.reference,
            _when(c.opened_at),
            c.get_family_display(),
            c.partner.name if c.partner else c.submitter_company,
            c.department.display_name if c.department else "",
            c.get_kind_display(),
            c.get_channel_display(),
            c.get_priority_display(),
            c.get_status_display(),
            (c.assignee.get_full_name() or c.assignee.get_username()) if c.assignee else "",
            c.subject,
            _when(c.response_due_at),
            _when(c.first_response_at),
            _met(c.response_due_at, c.first_response_at),
            _when(c.resolution_due_at),
            _when(c.resolved_at),
            _met(c.resolution_due_at, c.resolved_at),
        )
        for c in flt.qs.iterator(chunk_size=500)
    )
    return csv_response(filename=f"rapport-cases-{timezone.localdate().isoformat()}.csv", header=header, rows=rows)


def _partner_from_query(request: HttpRequest):
    pk = query_int(request.GET.get("partner"))
    return partner_get_for_user(user=request.user, pk=pk) if pk else None


@role_required()
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case for a partner; without ``?partner=`` first find the partner."""
    if not selectors.may_open_case(request.user):
        raise PermissionDenied
    partner = _partner_from_query(request)
    if partner is None:
        picker = PartnerPickFilter(request.GET, queryset=partner_list_for_user(user=request.user))
        term = picker.term()
        found = list(picker.qs.order_by("name")[:20]) if term else []
        return render(request, "cases/case_pick_partner.html", {"term": term, "found": found})
    form = CaseForm(form_data(request), partner=partner, initial={"assignee": partner.owner_id})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "partner"}
        try:
            case = services.case_open(partner=partner, created_by=request.user, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "partner": partner})


def _case_context(request: HttpRequest, case: Case, **forms) -> dict:
    now = timezone.now()
    may_work_on_case = selectors.may_work_on_case(request.user, case)
    labels = {f: Case._meta.get_field(f).verbose_name for f in services.EDITABLE_FIELDS}
    notes = list(selectors.case_timeline(case=case))
    for note in notes:
        if note.kind == CaseNote.Kind.EDITED:
            note.edited_labels = [labels.get(name, name) for name in note.changed_fields]
    context = {
        "case": case,
        "notes": notes,
        "response": sla.response_clock(case, now=now),
        "resolution": sla.resolution_clock(case, now=now),
        "may_work_on_case": may_work_on_case,
        "moves": [CaseStatus(s) for s in CASE_TRANSITIONS[case.status]] if may_work_on_case else [],
        "CaseStatus": CaseStatus,
        "note_form": CaseNoteForm() if may_work_on_case else None,
        "assign_form": CaseAssignForm(initial={"assignee": case.assignee_id}) if may_work_on_case else None,
        "transition_form": CaseTransitionForm() if may_work_on_case else None,
        "suggestions": selectors.case_contact_suggestions(case=case) if may_work_on_case else [],
        "follow_ups": selectors.case_follow_ups(case=case),
        "panels": panels_for("case_detail", case=case, user=request.user),
    }
    return {**context, **forms}


@role_required()
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@role_required(write=True)
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit what the case is about; for a web-form case, link it to its partner and contact
    (``?partner=&contact=`` preselects a suggestion from the case page)."""
    case = selectors.case_get_for_user(user=request.user, pk=pk, write=True)
    source = request.POST if request.method == "POST" else request.GET
    partner_id = query_int(source.get("partner")) or case.partner_id
    initial = {}
    if request.method == "GET" and query_int(request.GET.get("partner")):
        initial = {"partner": partner_id, "contact": query_int(request.GET.get("contact"))}
    form = CaseForm(form_data(request), instance=case, editing=True, initial=initial)
    form.fields["partner"].queryset = form.fields["partner"].queryset.filter(family=case.family)
    form.fields["contact"].queryset = Contact.objects.filter(partner_id=partner_id).order_by("-is_primary", "name")
    if request.method == "POST" and form.is_valid():
        changed = changed_values(form, services.EDITABLE_FIELDS)
        try:
            # The service locks and reloads the case by its id (the form changed this instance).
            services.case_update(case=case, user=request.user, version=form.version, **changed)
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Case updated."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case, "partner": case.partner})


@role_required(write=True)
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk, write=True)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        note = services.case_note_add(case=case, user=request.user, **form.cleaned_data)
        if note.kind == CaseNote.Kind.REPLY and case.requester_email:
            messages.success(request, _("Reply saved and emailed to %(email)s.") % {"email": case.requester_email})
        else:
            messages.success(request, _("Note added."))
        return redirect("cases:case_detail", pk=case.pk)
    return _case_detail_with_errors(request, case, note_form=form)


@role_required(write=True)
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk, write=True)
    form = CaseTransitionForm(request.POST)
    if form.is_valid():
        try:
            case = services.case_transition(case=case, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Case %(ref)s is now “%(status)s”.") % {"ref": case.reference, "status": case.get_status_display()},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return _case_detail_with_errors(request, case, transition_form=form)


@role_required(write=True)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk, write=True)
    form = CaseAssignForm(request.POST)
    if form.is_valid():
        services.case_assign(case=case, user=request.user, assignee=form.cleaned_data["assignee"])
        messages.success(request, _("Assignee saved."))
        return redirect("cases:case_detail", pk=case.pk)
    return _case_detail_with_errors(request, case, assign_form=form)


def _case_detail_with_errors(request: HttpRequest, case: Case, **forms) -> HttpResponse:
    """The case page again with the failing form bound and its errors; nothing was saved."""
    return render(request, "cases/case_detail.html", _case_context(request, case, **forms))


@role_required()
def sla_report(request: HttpRequest) -> HttpResponse:
    """SLA attainment by month, department and family (P4.1.2, P4.2.2)."""
    flt = SlaReportFilter(request.GET, queryset=Case.objects.all())
    report = selectors.sla_attainment(cases=flt.qs)
    months, family = flt.current_months(), flt.form.cleaned_data.get("family") or None
    return render(
        request,
        "cases/sla_report.html",
        {
            "tables": [
                ("month", _("By month"), report["month"]),
                ("department", _("By department"), report["department"]),
                ("family", _("By family"), report["family"]),
            ],
            "months": months,
            "periods": SLA_PERIODS,
            "family": family,
            "families": Family.choices,
            "since": flt.since(),
        },
    )


# --- Public feedback form (no login) ----------------------------------------------------------

FEEDBACK_POSTS_PER_ADDRESS = 5
FEEDBACK_WINDOW = 3600  # seconds
FEEDBACK_SESSION_KEY = "feedback_reference"


@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """A customer or supplier files a complaint or suggestion → a case (P4.2.3, P4.1.2)."""
    language = public_language(request, translation.get_language() or settings.LANGUAGE_CODE)
    if request.method == "POST":
        if body_too_large(request, MAX_BODY_BYTES):
            return public_render(request, "public_error.html", language, {"too_large": True}, status=400)
        if count_post(f"feedback-post:{client_address(request)}", FEEDBACK_POSTS_PER_ADDRESS, FEEDBACK_WINDOW):
            return public_render(request, "public_error.html", language, {"rate_limited": True}, status=429)
    with translation.override(language):
        form = FeedbackForm(form_data(request))
        valid = request.method == "POST" and form.is_valid()
    if valid:
        case = services.feedback_submit(
            language=language, **{k: v for k, v in form.cleaned_data.items() if k != "website"}
        )
        # The reference is shown once, from the session: no URL reveals a case.
        request.session[FEEDBACK_SESSION_KEY] = case.reference
        return redirect(f"{reverse('cases:feedback_thanks')}?lang={language}")
    return public_render(request, "cases/feedback_form.html", language, {"form": form})


@never_cache
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    language = public_language(request, translation.get_language() or settings.LANGUAGE_CODE)
    reference = request.session.pop(FEEDBACK_SESSION_KEY, None)
    if reference is None:
        return redirect(f"{reverse('cases:feedback')}?lang={language}")
    return public_render(request, "cases/feedback_thanks.html", language, {"reference": reference})
