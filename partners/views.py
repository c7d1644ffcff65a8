"""Views of the partner registry: access → form → service → message → redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import roles
from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.csv_export import csv_response
from crm.filters import search_term
from crm.forms import form_data as _post
from crm.forms import querystring_without
from crm.lists import PeekPage, list_page, render_list
from crm.panels import panels_for
from crm.roles import role_required

from . import selectors, services
from .filters import FollowUpFilter, PartnerFilter, select_options
from .forms import (
    ContactForm,
    FollowUpFormSet,
    InteractionForm,
    PartnerForm,
    active_colleagues,
)
from .models import FAMILY_PLURALS, Contact, Family, Partner

TIMELINE_PAGE_SIZE = 20


def _family_or_404(family: str) -> str:
    if family not in Family.values:
        raise Http404
    return family


def _filtered_partners(request: HttpRequest, family: str | None) -> tuple[PartnerFilter, bool]:
    archived = request.GET.get("archived") in ("on", "true", "1")
    base = selectors.partner_list_for_user(user=request.user, family=family, archived=archived)
    return PartnerFilter(request.GET or None, queryset=base, request=request), archived


# --- Lists ---------------------------------------------------------------------------


@role_required()
def partner_list(request: HttpRequest, family: str | None = None) -> HttpResponse:
    """One list per family and one for all: search, filters, sorting, pagination (P2)."""
    if family is not None:
        _family_or_404(family)
    flt, archived = _filtered_partners(request, family)
    qs = flt.qs  # validates the form
    # A search counts up to its own, lower cap: a term found that often is to be narrowed.
    searched = search_term(flt)
    page = list_page(
        request,
        qs,
        values=selectors.LIST_ROW_VALUES,
        cap=settings.RAPPORT_SEARCH_COUNT_CAP if searched else None,
        deferred=bool(searched),
    )
    page.object_list = selectors.partner_list_rows(page.object_list)
    context = {
        "filter": flt,
        "selects": select_options(flt),
        "page": page,
        "family": family,
        "family_label": FAMILY_PLURALS[family] if family else _("All partners"),
        "families": [(f, FAMILY_PLURALS[f]) for f in Family],
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("partners:family_export", args=[family]) if family else reverse("partners:export"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "archived": archived,
        "can_create": selectors.can_create_partner(request.user),
        "can_import": selectors.can_import_partners(request.user),
    }
    return render_list(request, "partners/partner_list.html", context, results="partners/_partner_table.html")


@role_required()
def partner_export(request: HttpRequest, family: str | None = None) -> StreamingHttpResponse:
    """CSV of the current filter, streamed so a large export does not fill memory."""
    if family is not None:
        _family_or_404(family)
    flt, _archived = _filtered_partners(request, family)
    qs = flt.qs if flt.is_bound else flt.queryset.order_by("name", "pk")
    qs = qs.only(*selectors.LIST_COLUMNS, "industry", "website").prefetch_related("tags")
    header = [
        _("Name"),
        _("Family"),
        _("Type"),
        _("Status"),
        _("Tier"),
        _("Owner"),
        _("Department"),
        _("Industry"),
        _("Region"),
        _("Website"),
        _("Tags"),
        _("Last contact"),
    ]
    rows = (
        (
            p.name,
            p.get_family_display(),
            p.get_kind_display(),
            p.get_status_display(),
            p.get_tier_display(),
            p.owner.get_full_name() or p.owner.get_username(),
            p.department.display_name,
            p.industry,
            p.region,
            p.website,
            ", ".join(t.name for t in p.tags.all()),
            timezone.localtime(p.last_contacted_at).strftime("%Y-%m-%d %H:%M") if p.last_contacted_at else "",
        )
        for p in qs.iterator(chunk_size=500)
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(filename=f"rapport-{family or 'partners'}-{stamp}.csv", header=header, rows=rows)


# --- Partner pages ----------------------------------------------------------------------


def _timeline_context(request: HttpRequest, partner: Partner) -> dict:
    """The timeline's page (``_timeline.html``: also the "Older interactions" answer alone)."""
    # No COUNT of the partner's interactions: the timeline only links to older and newer ones.
    page = PeekPage(selectors.interaction_timeline(partner=partner), request.GET.get("page"), TIMELINE_PAGE_SIZE)
    page.object_list = selectors.timeline_entries(page.object_list)
    return {"partner": partner, "timeline": page, "can_manage": selectors.can_manage_partner(request.user, partner)}


def _detail_context(request: HttpRequest, partner: Partner) -> dict:
    user = request.user
    return {
        **_timeline_context(request, partner),
        "can_edit": selectors.can_edit_partner(user, partner),
        "can_log": roles.has_write_role(user),
        # Suppliers are evaluated (P4.1.3) and partners assessed (P4.3) on a scorecard.
        "has_scorecard": partner.family in (Family.SUPPLIER, Family.PARTNER),
        **selectors.partner_side(partner=partner),  # contacts, tags, open follow-ups
        # What the family apps show here (a supplier's qualification documents, a customer's
        # needs, "Record a gift" …): see crm/panels.py and each app's apps.py.
        "panels": panels_for("partner_side", partner=partner, user=user),
        "action_panels": panels_for("partner_actions", partner=partner, user=user),
    }


@role_required()
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk, detail=True)
    if request.htmx and request.htmx.target == "timeline":  # older or newer interactions: the timeline alone
        return render(request, "partners/_timeline.html", _timeline_context(request, partner))
    context = _detail_context(request, partner)
    # The quick-log form is fetched with htmx when the user opens it (partners/_quicklog_*),
    # so reading a partner page does not pay for rendering a form.
    return render(request, "partners/partner_detail.html", context)


@role_required(write=True)
def partner_create(request: HttpRequest, family: str) -> HttpResponse:
    _family_or_404(family)
    if not selectors.can_create_partner(request.user):
        raise PermissionDenied
    form = PartnerForm(_post(request), family=family, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            partner = services.partner_create(
                family=family, data=data, tag_names=data.pop("tag_names"), created_by=request.user
            )
        except services.DuplicatePartnerName:
            form.add_error("name", _("A partner with this name already exists in this family."))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": partner.name})
            return redirect(partner)
    return render(
        request,
        "partners/partner_form.html",
        {"form": form, "family": family, "family_label": FAMILY_PLURALS[family], "partner": None},
    )


@role_required(write=True)
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk, write=True)
    form = PartnerForm(_post(request), instance=partner, family=partner.family, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            stored = services.partner_update(
                pk=partner.pk, changed=changed_values(form), version=form.version, user=request.user
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except services.DuplicatePartnerName:
            form.add_error("name", _("A partner with this name already exists in this family."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": stored.name})
            return redirect(stored)
    return render(
        request,
        "partners/partner_form.html",
        {"form": form, "family": partner.family, "family_label": FAMILY_PLURALS[partner.family], "partner": partner},
    )


def _partner_lifecycle(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET asks for confirmation; POST archives or restores. Never deletes (P3.1 history kept)."""
    partner = selectors.partner_get_for_user(user=request.user, pk=pk, manage=True)
    if request.method == "POST":
        if action == "archive":
            services.partner_archive(partner=partner)
            message = _("%(name)s was archived. You can restore it at any time.")
        else:
            services.partner_restore(partner=partner)
            message = _("%(name)s was restored.")
        messages.success(request, message % {"name": partner.name})
        return redirect(partner)
    return render(request, "partners/partner_confirm.html", {"partner": partner, "action": action})


@role_required(write=True)
def partner_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_lifecycle(request, pk, "archive")


@role_required(write=True)
def partner_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_lifecycle(request, pk, "restore")


@role_required()
def partner_history(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    paginator = Paginator(selectors.partner_history(partner=partner), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "partners/partner_history.html", {"partner": partner, "page": page})


# --- Contacts -------------------------------------------------------------------------------


@role_required(write=True)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk, write=True)
    form = ContactForm(_post(request), instance=Contact(partner=partner))
    if request.method == "POST" and form.is_valid():
        contact = services.contact_save(contact=form.instance)
        messages.success(request, _("Contact %(name)s was added.") % {"name": contact.name})
        return redirect(partner)
    return render(request, "partners/contact_form.html", {"form": form, "partner": partner, "contact": None})


@role_required(write=True)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk, write=True)
    form = ContactForm(_post(request), instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.contact_update(
                pk=contact.pk, changed=changed_values(form), version=form.version, user=request.user
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        else:
            messages.success(request, _("Contact %(name)s was saved.") % {"name": saved.name})
            return redirect(saved.partner)
    return render(request, "partners/contact_form.html", {"form": form, "partner": contact.partner, "contact": contact})


@role_required(write=True)
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk, write=True)
    partner = contact.partner
    if request.method == "POST":
        services.contact_delete(contact=contact)
        messages.success(request, _("Contact %(name)s was deleted.") % {"name": contact.name})
        return redirect(partner)
    return render(request, "partners/contact_confirm_delete.html", {"contact": contact, "partner": partner})


# --- Interactions ---------------------------------------------------------------------------------


def _followups_from(formset) -> list[services.FollowUpData]:
    return [
        services.FollowUpData(
            description=f.cleaned_data["description"], owner=f.cleaned_data["owner"], due_on=f.cleaned_data["due_on"]
        )
        for f in formset.filled_forms()
    ]


@role_required(write=True)
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Log an interaction. From the partner page this is an htmx quick-log; without
    JavaScript the same form posts here and gets a full page back (P3.3)."""
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    owners = active_colleagues()
    colleagues = list(owners) if request.method != "POST" else None
    form = InteractionForm(_post(request), partner=partner, prefix="log", colleagues=colleagues)
    formset = FollowUpFormSet(
        _post(request),
        prefix="log-fu",
        form_kwargs={"owners": owners, "default_owner": request.user, "colleagues": colleagues},
    )
    if request.method == "POST":
        form_ok = form.is_valid()
        if form_ok:
            formset.occurred_on = timezone.localdate(form.cleaned_data["occurred_at"])
        if form_ok and formset.is_valid():
            with transaction.atomic():
                interaction = services.interaction_log(
                    partner=partner,
                    author=request.user,
                    data=form.cleaned_data,
                    participants=form.cleaned_data["participants"],
                    contacts=form.cleaned_data["contacts"],
                    followups=_followups_from(formset),
                )
            messages.success(request, _("Interaction “%(subject)s” was logged.") % {"subject": interaction.subject})
            # The query string makes the URL differ from the current page, so the browser
            # really reloads (a bare "#fragment" change would only scroll).
            target = f"{partner.get_absolute_url()}?logged={interaction.pk}#interaction-{interaction.pk}"
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        formset.is_valid()  # show follow-up errors too, even when the interaction is invalid
    context = {"partner": partner, "log_form": form, "followup_formset": formset}
    if request.htmx:
        return render(request, "partners/_interaction_quicklog.html", context)
    return render(request, "partners/interaction_form.html", context)


@role_required(write=True)
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = selectors.interaction_get_for_user(user=request.user, pk=pk, write=True)
    partner = interaction.partner
    form = InteractionForm(_post(request), instance=interaction, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_update(
                pk=interaction.pk, changed=changed_values(form), version=form.version, user=request.user
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        else:
            messages.success(request, _("The interaction was saved."))
            return redirect(reverse("partners:detail", args=[partner.pk]) + "#timeline")
    return render(
        request, "partners/interaction_edit.html", {"form": form, "partner": partner, "interaction": interaction}
    )


# --- Follow-ups ----------------------------------------------------------------------------------


@role_required()
def followup_list(request: HttpRequest) -> HttpResponse:
    """My follow-ups (P3.3): what I owe, due, overdue and done."""
    flt = FollowUpFilter(request.GET, queryset=selectors.followup_list_for_user(user=request.user))
    state = flt.current_state()
    page = list_page(request, flt.qs, values=selectors.FOLLOWUP_ROW_VALUES)
    page.object_list = selectors.followup_list_rows(page.object_list)
    return render(
        request,
        "partners/followup_list.html",
        {
            "page": page,
            "state": state,
            "counts": selectors.followup_counts_for_user(user=request.user),
            "today": timezone.localdate(),
        },
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@role_required(write=True)
@require_POST
def followup_complete(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_get_for_user(user=request.user, pk=pk, write=True)
    if services.followup_complete(followup=followup, user=request.user):
        messages.success(request, _("“%(item)s” is done.") % {"item": followup.description})
    return _back(request, reverse("partners:followups"))


@role_required(write=True)
@require_POST
def followup_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_get_for_user(user=request.user, pk=pk, write=True)
    if services.followup_reopen(followup=followup):
        messages.success(request, _("“%(item)s” was reopened.") % {"item": followup.description})
    return _back(request, reverse("partners:followups") + "?state=done")
