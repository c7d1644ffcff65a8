"""Pages of agreements (P4.3.2): the list (with CSV export), an agreement's page, and its
forms — the agreement, documents, obligations and their status, execution reviews, renewal.

Access → form → service → message → redirect, as in partners/views.py. The partner's page
shows the "Agreements" card (``selectors.agreements_panel``, registered in apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.choices import choice_labels
from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.csv_export import csv_response
from crm.filters import select_options
from crm.forms import form_data as _post
from crm.forms import form_files as _files
from crm.forms import querystring_without, show_refusal
from crm.lists import render_list
from crm.roles import role_required
from crm.uploads import file_response
from partners.selectors import partner_get_for_user

from . import selectors, services
from .filters import AGREEMENT_SELECTS, AgreementFilter
from .forms import (
    AgreementForm,
    DocumentForm,
    ObligationForm,
    ObligationStatusForm,
    RenewForm,
    ReviewActionForm,
    ReviewForm,
)
from .models import AgreementDocument, AgreementStatus, AgreementType, Obligation


def _too_large(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    request.POST  # noqa: B018  (parsing the body runs the upload handlers, which set the flag)
    return getattr(request, "upload_too_large", False)


# --- The list --------------------------------------------------------------------------------


def _filter(request: HttpRequest) -> AgreementFilter:
    return AgreementFilter(request.GET, queryset=selectors.agreement_list_for_user(user=request.user))


@role_required()
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Every agreement: search, type, status, department, sorting, pagination, CSV export."""
    flt = _filter(request)
    page = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    kinds, statuses = choice_labels(AgreementType), choice_labels(AgreementStatus)
    for a in page.object_list:
        a.kind_label, a.status_label = kinds[a.kind], statuses[a.status]
    context = {
        "filter": flt,
        "selects": select_options(flt, AGREEMENT_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("agreements:export"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "today": timezone.localdate(),
    }
    return render_list(request, "agreements/agreement_list.html", context, results="agreements/_agreement_table.html")


@role_required()
def agreement_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list's current filter as CSV, streamed."""
    flt = _filter(request)
    kinds, statuses = choice_labels(AgreementType), choice_labels(AgreementStatus)
    header = [
        _("Title"),
        _("Type"),
        _("Partners"),
        _("Department"),
        _("Owner"),
        _("Status"),
        _("Term start"),
        _("Term end"),
        _("Renewal notice period (days)"),
        _("Next execution review"),
    ]
    rows = (
        (
            a.title,
            kinds[a.kind],
            "; ".join(sorted(p.name for p in a.partners.all())),
            a.department.display_name,
            a.owner.get_full_name() or a.owner.get_username(),
            statuses[a.status],
            a.starts_on,
            a.ends_on,
            a.notice_days,
            a.next_review_on,
        )
        for a in flt.qs.iterator(chunk_size=500)
    )
    return csv_response(filename=f"rapport-agreements-{timezone.localdate().isoformat()}.csv", header=header, rows=rows)


# --- One agreement ---------------------------------------------------------------------------


@role_required()
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    context = selectors.agreement_detail_context(agreement=agreement, user=request.user)
    context["status_form"] = ObligationStatusForm()
    return render(request, "agreements/agreement_detail.html", context)


@role_required()
def partner_agreements(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows of the partner page's "Agreements" card, loaded by htmx after the page; a plain
    visit lands on the list searched for the partner's name."""
    partner = partner_get_for_user(user=request.user, pk=pk)
    if not request.htmx:
        return redirect(reverse("agreements:list") + "?" + urlencode({"q": partner.name[:100]}))
    return render(
        request,
        "agreements/_partner_agreements.html",
        {"agreements": selectors.partner_agreements(partner=partner), "partner": partner},
    )


@role_required(write=True)
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new agreement from a partner's page: its department's managers (P4.3.2)."""
    partner = partner_get_for_user(user=request.user, pk=pk, manage=True)
    form = AgreementForm(
        _post(request),
        initial={"partners": [partner.pk], "owner": request.user.pk, "starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partners = sorted(data["partners"], key=lambda p: (p.pk != partner.pk, p.name))
        try:
            agreement = services.agreement_create(data=data, partners=partners, by=request.user)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The agreement was created."))
            return redirect(agreement)
    return render(request, "agreements/agreement_form.html", {"form": form, "partner": partner, "agreement": None})


@role_required(write=True)
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk, manage=True)
    form = AgreementForm(_post(request), instance=agreement, initial={"partners": list(agreement.partners.all())})
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(
                pk=agreement.pk,
                changed=changed_values(form),
                partners=list(form.cleaned_data["partners"]) if "partners" in form.changed_data else None,
                version=form.version,
                by=request.user,
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect(agreement)
    return render(request, "agreements/agreement_form.html", {"form": form, "partner": None, "agreement": agreement})


@role_required(write=True)
def agreement_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for the renewal's end; POST creates it as a draft linked to this one."""
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk, manage=True)
    form = RenewForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            renewal = services.agreement_renew(
                agreement=agreement, ends_on=form.cleaned_data["ends_on"], by=request.user
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The renewal was created as a draft: check its terms and make it active."))
            return redirect(renewal)
    return render(request, "agreements/agreement_renew.html", {"form": form, "agreement": agreement})


@role_required(write=True)
def agreement_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST terminates."""
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk, manage=True)
    problem = ""
    if request.method == "POST":
        try:
            services.agreement_terminate(agreement=agreement, by=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, _("The agreement was terminated."))
            return redirect(agreement)
    return render(request, "agreements/agreement_terminate.html", {"agreement": agreement, "problem": problem})


# --- Documents -------------------------------------------------------------------------------


@role_required(write=True)
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk, manage=True)
    form = DocumentForm(_post(request), _files(request), upload_too_large=_too_large(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                agreement=agreement, title=form.cleaned_data["title"], upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("The document was added."))
            return redirect(agreement.get_absolute_url() + "#documents")
    return render(request, "agreements/document_form.html", {"form": form, "agreement": agreement})


@role_required()
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's file, for everyone who may read the agreement: as an attachment, never
    inline (crm/uploads.py)."""
    try:
        document = AgreementDocument.objects.get(pk=pk)
    except AgreementDocument.DoesNotExist:
        raise Http404 from None
    selectors.agreement_get_for_user(user=request.user, pk=document.agreement_id)
    if not document.file:
        raise Http404
    return file_response(document.file, download_name=slugify(document.title) or "document")


# --- Obligations ------------------------------------------------------------------------------


@role_required(write=True)
def obligation_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk, manage=True)
    form = ObligationForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.obligation_add(agreement=agreement, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The obligation was added."))
            if "another" in request.POST:
                return redirect("agreements:obligation_add", pk=agreement.pk)
            return redirect(agreement.get_absolute_url() + "#obligations")
    return render(request, "agreements/obligation_form.html", {"form": form, "agreement": agreement})


@role_required(write=True)
@require_POST
def obligation_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's staff mark an obligation met, late, missed, waived or open again."""
    try:
        obligation = Obligation.objects.select_related("agreement").get(pk=pk)
    except Obligation.DoesNotExist:
        raise Http404 from None
    agreement = selectors.agreement_get_for_user(user=request.user, pk=obligation.agreement_id, obligations=True)
    form = ObligationStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        try:
            services.obligation_set_status(obligation=obligation, status=form.cleaned_data["status"], by=request.user)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The obligation's status was saved."))
    return redirect(agreement.get_absolute_url() + "#obligations")


# --- Execution reviews ------------------------------------------------------------------------


@role_required(write=True)
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the execution review due (P4.3.2): rating, issues, resolution, an action."""
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk, manage=True)
    form = ReviewForm(_post(request))
    problem = "" if agreement.in_force else _("Only an agreement in force has execution reviews.")
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(agreement=agreement, data=form.cleaned_data, actions=form.actions(), by=request.user)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The execution review was recorded."))
            return redirect(agreement.get_absolute_url() + "#reviews")
    return render(request, "agreements/review_form.html", {"form": form, "agreement": agreement, "problem": problem})


@role_required(write=True)
def review_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A further corrective action from a recorded execution review (P4.3.2): the form opens
    under the review on the agreement's page (htmx) or as a page of its own."""
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    form = ReviewActionForm(_post(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_action_add(
                review=review,
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
                by=request.user,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The corrective action was added."))
            return redirect(review.agreement.get_absolute_url() + f"#review-{review.pk}")
    context = {"form": form, "review": review, "agreement": review.agreement}
    if request.htmx:
        return render(request, "agreements/_review_action_form.html", context)
    return render(request, "agreements/review_action_form.html", context)
