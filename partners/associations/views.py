"""Pages of the associations app (P4.4): access → form → service → message → redirect.

The association's own page is the registry's partner page with the association card
(``selectors.association_panel``, registered in apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.csv_export import csv_response
from crm.filters import select_options
from crm.forms import form_data as _post
from crm.forms import form_files as _files
from crm.forms import querystring_without, show_refusal
from crm.lists import render_list
from crm.roles import role_required
from crm.uploads import file_response

from . import selectors, services
from .filters import (
    EVENT_SELECTS,
    MEMBERSHIP_SELECTS,
    POSITION_SELECTS,
    REPORT_SELECTS,
    EventFilter,
    MembershipFilter,
    PositionFilter,
    ReportFilter,
)
from .forms import RECORD_FORMS, VERSIONED_KINDS, CommentForm, ReportForm

RECORD_TITLES = {
    "membership": gettext_lazy("Membership"),
    "position": gettext_lazy("Position"),
    "event": gettext_lazy("Industry event"),
    "standard": gettext_lazy("Standards work"),
    "submission": gettext_lazy("Problem or proposal to the association"),
}
UPLOAD_KINDS = ("standard",)


def _too_large(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    request.POST  # noqa: B018  (parsing the body runs the upload handlers, which set the flag)
    return getattr(request, "upload_too_large", False)


def _save(kind: str, form, user) -> None:
    record = form.instance
    if record.pk is not None and kind in VERSIONED_KINDS:
        # An edit: the service reloads the row and refuses a stale form (crm/concurrency.py).
        services.record_update(
            model=type(record),
            pk=record.pk,
            changed=changed_values(form),
            fields=list(form._meta.fields),
            version=form.version,
            by=user,
        )
        return
    if kind == "membership":
        services.membership_save(membership=record)
    elif kind == "position":
        services.position_save(position=record)
    elif kind == "event":
        data = form.cleaned_data
        services.event_save(event=record, attendees=data["attendees"], shared_with=data["shared_with"], by=user)
    else:
        services.record_save(record=record)


def _record_form(request: HttpRequest, kind: str, association, record) -> HttpResponse:
    form_class = RECORD_FORMS[kind]
    extra = {"upload_too_large": _too_large(request)} if kind in UPLOAD_KINDS else {}
    form = form_class(_post(request), _files(request), instance=record, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            _save(kind, form, request.user)
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("%(what)s saved.") % {"what": RECORD_TITLES[kind]})
            return redirect(association.get_absolute_url() + "#association")
    return render(
        request,
        "associations/record_form.html",
        {
            "form": form,
            "partner": association,
            "title": RECORD_TITLES[kind],
            "multipart": kind in UPLOAD_KINDS,
        },
    )


@role_required(write=True)
def record_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a membership or position (managers), or an event, standards work or
    submission (the department's staff and managers) to an association (P4.4)."""
    association = selectors.association_get_for_user(user=request.user, pk=pk, kind=kind)
    record = selectors.RECORD_MODELS[kind](association=association)
    return _record_form(request, kind, association, record)


@role_required(write=True)
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(user=request.user, kind=kind, pk=pk, write=True)
    return _record_form(request, kind, record.association, record)


@role_required()
def standard_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A standards work's document, as an attachment, never inline (crm/uploads.py)."""
    record = selectors.record_get_for_user(user=request.user, kind="standard", pk=pk)
    if not record.document:
        raise Http404
    return file_response(record.document, download_name=slugify(record.title) or "standard")


# --- Memberships ---------------------------------------------------------------------------------


def _membership_filter(request: HttpRequest) -> MembershipFilter:
    return MembershipFilter(request.GET, queryset=selectors.memberships_for_user(user=request.user))


@role_required()
def membership_list(request: HttpRequest) -> HttpResponse:
    """Our memberships of associations (P4.4.1), soonest to end first: search, sort, CSV."""
    flt = _membership_filter(request)
    page = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": flt,
        "selects": select_options(flt, MEMBERSHIP_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("associations:memberships_csv"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "today": timezone.localdate(),
    }
    return render_list(
        request, "associations/memberships.html", context, results="associations/_memberships_table.html"
    )


@role_required()
def memberships_csv(request: HttpRequest) -> HttpResponse:
    rows = (
        (m.association.name, m.level, m.fee, m.starts_on, m.ends_on, m.association.department.name)
        for m in _membership_filter(request).qs.iterator(chunk_size=500)
    )
    header = [_("Association"), _("Membership level"), _("Annual fee"), _("Start date"), _("End date"), _("Department")]
    return csv_response(filename=f"rapport-memberships-{timezone.localdate():%Y%m%d}.csv", header=header, rows=rows)


# --- Positions ---------------------------------------------------------------------------------


def _position_filter(request: HttpRequest) -> PositionFilter:
    return PositionFilter(
        request.GET, queryset=selectors.positions_for_user(user=request.user), today=timezone.localdate()
    )


@role_required()
def position_list(request: HttpRequest) -> HttpResponse:
    """The positions our people hold in associations (P4.4.1), terms ending soonest first."""
    flt = _position_filter(request)
    page = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": flt,
        "selects": select_options(flt, POSITION_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("associations:positions_csv"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "today": timezone.localdate(),
    }
    return render_list(request, "associations/positions.html", context, results="associations/_positions_table.html")


@role_required()
def positions_csv(request: HttpRequest) -> HttpResponse:
    rows = (
        (p.association.name, p.role, p.person.get_full_name() or p.person.username, p.starts_on, p.ends_on)
        for p in _position_filter(request).qs.iterator(chunk_size=500)
    )
    header = [_("Association"), _("Role"), _("Held by"), _("Start date"), _("End date")]
    return csv_response(filename=f"rapport-positions-{timezone.localdate():%Y%m%d}.csv", header=header, rows=rows)


# --- Events ------------------------------------------------------------------------------------


def _event_filter(request: HttpRequest) -> EventFilter:
    return EventFilter(request.GET, queryset=selectors.events_for_user(user=request.user))


@role_required()
def event_list(request: HttpRequest) -> HttpResponse:
    """Industry events attended (P4.4.1): type, purpose, search, sort, pagination, CSV."""
    flt = _event_filter(request)
    page = Paginator(flt.qs.prefetch_related("attendees"), settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": flt,
        "selects": select_options(flt, EVENT_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("associations:events_csv"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    return render_list(request, "associations/events.html", context, results="associations/_events_table.html")


@role_required()
def events_csv(request: HttpRequest) -> HttpResponse:
    flt = _event_filter(request)
    rows = (
        (
            e.starts_on,
            e.get_kind_display(),
            e.topic,
            e.get_purpose_display(),
            e.association.name,
            ", ".join(a.get_full_name() or a.username for a in e.attendees.all()),
            e.takeaways,
        )
        for e in flt.qs.prefetch_related("attendees").iterator(chunk_size=500)
    )
    header = [_("Date"), _("Type"), _("Topic"), _("Purpose"), _("Association"), _("Our attendees"), _("Takeaways")]
    return csv_response(filename=f"rapport-events-{timezone.localdate():%Y%m%d}.csv", header=header, rows=rows)


# --- Industry reports ----------------------------------------------------------------------------


def _report_filter(request: HttpRequest) -> ReportFilter:
    return ReportFilter(request.GET, queryset=selectors.reports_for_user(user=request.user))


@role_required()
def report_list(request: HttpRequest) -> HttpResponse:
    """Every industry report shared (P4.4.3), with how many of its readers have read it."""
    flt = _report_filter(request)
    page = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": flt,
        "selects": select_options(flt, REPORT_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("associations:reports_csv"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "may_share": selectors.may_share_report(request.user),
    }
    return render_list(request, "associations/reports.html", context, results="associations/_reports_table.html")


@role_required()
def reports_csv(request: HttpRequest) -> HttpResponse:
    flt = _report_filter(request)
    rows = (
        (r.created_at.date(), r.title, r.source_institution, r.topics, r.sent_by.username, r.read_count, r.reader_count)
        for r in flt.qs.iterator(chunk_size=500)
    )
    header = [_("Shared on"), _("Title"), _("Source institution"), _("Topics"), _("Shared by"), _("Read"), _("Readers")]
    return csv_response(
        filename=f"rapport-industry-reports-{timezone.localdate():%Y%m%d}.csv", header=header, rows=rows
    )


@role_required()
def inbox(request: HttpRequest) -> HttpResponse:
    """The industry reports routed to me, unread first (P4.4.3)."""
    page = Paginator(selectors.inbox_for_user(user=request.user), settings.RAPPORT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "associations/inbox.html", {"page": page, "querystring": ""})


@role_required(write=True)
def report_create(request: HttpRequest) -> HttpResponse:
    """Share an industry report with departments and people (P4.4.3)."""
    if not selectors.may_share_report(request.user):
        raise PermissionDenied
    form = ReportForm(_post(request), _files(request), upload_too_large=_too_large(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_share(
                report=form.instance,
                departments=list(data["departments"]),
                people=list(data["people"]),
                by=request.user,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request, _("The report was shared with %(count)d readers.") % {"count": report.receipts.count()}
            )
            return redirect(report)
    return render(request, "associations/report_form.html", {"form": form})


@role_required()
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    context = selectors.report_detail_context(report=report, user=request.user)
    context["comment_form"] = CommentForm(initial={"comment": context["mine"].comment if context["mine"] else ""})
    return render(request, "associations/report_detail.html", context)


@role_required()
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    if not report.file:
        raise Http404
    return file_response(report.file, download_name=slugify(report.title) or "report")


@role_required()
@require_POST
def report_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Its reader marks a report read; only those it was routed to."""
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    receipt = selectors.receipt_for(user=request.user, report=report)
    services.report_mark_read(receipt=receipt)
    messages.success(request, _("Marked as read."))
    return redirect(report)


@role_required()
@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    receipt = selectors.receipt_for(user=request.user, report=report)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.report_comment(receipt=receipt, comment=form.cleaned_data["comment"])
        messages.success(request, _("Your comment was saved."))
        return redirect(report)
    context = selectors.report_detail_context(report=report, user=request.user)
    context["comment_form"] = form
    return render(request, "associations/report_detail.html", context)
