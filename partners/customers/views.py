"""Customer care pages: needs (P4.2.1), care calendar and campaigns (P4.2.3), gifts (P3.1).

Access → form → service → message → redirect, as in partners/views.py. The public page
``unsubscribe`` needs no login: its token is the key; it names no one, and an unknown or
altered token gets a neutral "not valid" page.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.csv_export import csv_response
from crm.forms import form_data as _post
from crm.forms import query_int, querystring_without
from crm.lists import render_list
from crm.public import body_too_large, client_address, count_post, public_language, public_render
from crm.roles import role_required
from partners import selectors as partner_selectors
from partners.models import Family, Tag, Tier
from partners.views import _back

from . import selectors, services
from .filters import GiftFilter, NeedsSummaryFilter
from .forms import CampaignForm, GiftDecisionForm, GiftForm, NeedForm
from .models import Campaign, Gift, Greeting, Need

# --- Needs (P4.2.1) ------------------------------------------------------------------------------


@role_required(write=True)
def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_selectors.partner_get_for_user(user=request.user, pk=pk)
    form = NeedForm(_post(request), partner=partner, instance=Need(partner=partner))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.need_record(partner=partner, data=data, tag_names=data.pop("tag_names"), recorded_by=request.user)
        messages.success(request, _("The need was recorded."))
        return redirect(reverse("partners:detail", args=[partner.pk]) + "#needs")
    return render(request, "customers/need_form.html", {"form": form, "partner": partner, "need": None})


@role_required(write=True)
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get_for_user(user=request.user, pk=pk, write=True)
    partner = need.partner
    form = NeedForm(_post(request), partner=partner, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(pk=need.pk, changed=changed_values(form), version=form.version, user=request.user)
        except StaleEdit as exc:
            refuse_stale(form, exc)
        else:
            messages.success(request, _("The need was saved."))
            return redirect(reverse("partners:detail", args=[partner.pk]) + "#needs")
    return render(request, "customers/need_form.html", {"form": form, "partner": partner, "need": need})


def _needs_summary(request: HttpRequest, *, top_n: int = 10):
    flt = NeedsSummaryFilter(request.GET or None, queryset=Need.objects.all())
    start, end = flt.period()
    summary = selectors.needs_summary(
        needs=flt.qs, start=start, end=end, family=flt.segment().get("family", ""), top_n=top_n
    )
    return flt, start, end, summary


@role_required()
def needs_summary(request: HttpRequest) -> HttpResponse:
    """What customers need, by topic, over a period, with the monthly trend (P4.2.1)."""
    flt, start, end, summary = _needs_summary(request)
    peak = max((n for t in summary.top for n in t["trend"]), default=0)
    return render(
        request,
        "customers/needs_summary.html",
        {
            "form": flt.form,
            "start": start,
            "end": end,
            "summary": summary,
            "peak": peak,
            "querystring": request.GET.urlencode(),
            "export_url": reverse("customers:needs_export"),
        },
    )


@role_required()
def needs_export(request: HttpRequest) -> HttpResponse:
    """The summary as CSV: topic, total, then one column per month (spreadsheet-safe)."""
    _flt, start, end, summary = _needs_summary(request, top_n=50)
    return csv_response(
        filename=f"rapport-needs-{start}-{end}.csv",
        header=[_("Topic"), _("Needs"), *(m.strftime("%Y-%m") for m in summary.months)],
        rows=([t["name"], t["count"], *t["trend"]] for t in summary.top),
    )


# --- Care calendar and greetings (P4.2.3) --------------------------------------------------------


@role_required()
def care_calendar(request: HttpRequest) -> HttpResponse:
    """Birthdays, company anniversaries and holidays of key and important customers."""
    days = query_int(request.GET.get("days"), low=None, high=None)
    days = 30 if days is None else min(max(days, 1), selectors.CARE_MAX_DAYS)
    mine = request.GET.get("mine") in ("1", "on", "true")
    today = timezone.localdate()
    rows = selectors.care_calendar(
        start=today, end=today + dt.timedelta(days=days), owner_id=request.user.pk if mine else None
    )
    paginator = Paginator(rows, settings.RAPPORT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for row in page.object_list:
        greeting = row.greeting
        row.can_mark = greeting is not None and (
            row.partner.owner_id == request.user.pk or partner_selectors.can_manage_partner(request.user, row.partner)
        )
    return render(
        request,
        "customers/care_calendar.html",
        {
            "page": page,
            "days": days,
            "mine": mine,
            "today": today,
            "lead_days": settings.RAPPORT_GREETING_LEAD_DAYS,
            "querystring": querystring_without(request, "page"),
        },
    )


@role_required(write=True)
@require_POST
def greeting_mark(request: HttpRequest, pk: int) -> HttpResponse:
    greeting = selectors.greeting_get_for_user(user=request.user, pk=pk, write=True)
    status = request.POST.get("status", "")
    if status not in (Greeting.Status.DONE, Greeting.Status.SKIPPED):
        messages.error(request, _("Choose done or skipped."))
    elif services.greeting_mark(greeting=greeting, status=status, user=request.user):
        label = _("The greeting is marked done.") if status == Greeting.Status.DONE else _("The greeting was skipped.")
        messages.success(request, label)
    return _back(request, reverse("customers:care_calendar"))


# --- Gifts (P3.1) -----------------------------------------------------------------------------------


@role_required()
def gift_list(request: HttpRequest) -> HttpResponse:
    """The gift and hospitality register (P3.1): filter by approval and direction, sort by
    date or value (each backed by an index)."""
    flt = GiftFilter(request.GET, queryset=selectors.gift_list_for_user(user=request.user))
    paginator = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE)
    # Invalid values are left out of cleaned_data: that filter is ignored, the others apply.
    chosen = flt.form.cleaned_data
    status, direction, q = chosen.get("status") or "", chosen.get("direction") or "", chosen.get("q") or ""
    sort = flt.current_sort()
    page = paginator.get_page(request.GET.get("page"))
    for gift in page.object_list:
        gift.can_decide = gift.status == Gift.Status.PENDING and selectors.can_decide_gift(request.user, gift)
    return render_list(
        request,
        "customers/gift_list.html",
        {
            "page": page,
            "status": status,
            "direction": direction,
            "q": q,
            "sort": sort,
            "statuses": Gift.Status.choices,
            "directions": Gift.Direction.choices,
            "sorts": flt.filters["sort"].extra["choices"],
            "querystring": querystring_without(request, "page"),
            "is_filtered": bool(status or direction or q),
            "threshold": settings.RAPPORT_GIFT_APPROVAL_THRESHOLD,
            "awaiting_me": selectors.gift_pending_count(user=request.user),
        },
        results="customers/_gift_table.html",
    )


@role_required(write=True)
def gift_create(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_selectors.partner_get_for_user(user=request.user, pk=pk, write=True)
    form = GiftForm(_post(request), partner=partner, instance=Gift(partner=partner))
    if request.method == "POST" and form.is_valid():
        gift = services.gift_record(partner=partner, data=form.cleaned_data, recorded_by=request.user)
        if gift.status == Gift.Status.PENDING:
            messages.success(request, _("The gift was recorded and waits for a manager's approval."))
        else:
            messages.success(request, _("The gift was recorded."))
        return redirect(reverse("customers:gift_list") + "?" + urlencode({"q": partner.name}))
    return render(
        request,
        "customers/gift_form.html",
        {"form": form, "partner": partner, "threshold": settings.RAPPORT_GIFT_APPROVAL_THRESHOLD},
    )


@role_required(write=True)
def gift_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager of the partner's department approves or rejects, with a note (P3.1)."""
    gift = selectors.gift_get_for_user(user=request.user, pk=pk, decide=True)
    form = GiftDecisionForm(_post(request), versioned=gift)
    if gift.status != Gift.Status.PENDING:
        messages.info(request, _("This gift needs no decision."))
        return redirect("customers:gift_list")
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.gift_decide(
                gift=gift, approve=approve, note=form.cleaned_data["note"], user=request.user, version=form.version
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except services.GiftAlreadyDecided:
            messages.info(request, _("Someone decided on this gift in the meantime."))
            return redirect("customers:gift_list")
        else:
            messages.success(request, _("The gift was approved.") if approve else _("The gift was rejected."))
            return redirect("customers:gift_list")
    return render(request, "customers/gift_decide.html", {"form": form, "gift": gift})


# --- Campaigns (P4.2.3) -------------------------------------------------------------------------------


@role_required()
def campaign_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(
        selectors.campaign_list_for_user(user=request.user).order_by("-created_at", "-pk"), settings.RAPPORT_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "customers/campaign_list.html",
        {"page": page, "can_send": selectors.can_send_campaigns(request.user)},
    )


@role_required(write=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(_post(request), initial={"family": Family.CUSTOMER})
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        campaign = form.save()
        messages.success(request, _("The campaign was saved as a draft."))
        return redirect("customers:campaign_detail", pk=campaign.pk)
    return render(request, "customers/campaign_form.html", {"form": form, "campaign": None})


@role_required(write=True)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    if not selectors.can_edit_campaign(request.user, campaign):
        raise PermissionDenied
    if campaign.status != Campaign.Status.DRAFT:
        messages.info(request, _("A sent campaign cannot be changed."))
        return redirect("customers:campaign_detail", pk=campaign.pk)
    form = CampaignForm(_post(request), instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                pk=campaign.pk, changed=changed_values(form), version=form.version, user=request.user
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except services.CampaignAlreadySent:
            messages.info(request, _("A sent campaign cannot be changed."))
            return redirect("customers:campaign_detail", pk=campaign.pk)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("customers:campaign_detail", pk=campaign.pk)
    return render(request, "customers/campaign_form.html", {"form": form, "campaign": campaign})


def _segment_labels(campaign: Campaign, tags: list[Tag]) -> dict:
    tiers = dict(Tier.choices)
    return {
        "family": dict(Family.choices).get(campaign.family, campaign.family),
        "tiers": ", ".join(str(tiers.get(int(t), t)) for t in campaign.tiers) or _("all tiers"),
        "tags": ", ".join(t.name for t in tags) or _("any tag"),
        "industry": campaign.industry or _("any industry"),
    }


@role_required()
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    tags = list(campaign.tags.all())
    context = {"campaign": campaign, "segment": _segment_labels(campaign, tags)}
    if campaign.status == Campaign.Status.DRAFT:
        context["audience_count"] = selectors.campaign_audience(campaign, tag_ids=[t.pk for t in tags]).count()
    else:
        context["recipients"] = campaign.recipients.select_related("contact__partner").order_by("pk")[:200]
        context["recipient_count"] = campaign.recipients.count()
        context["unsubscribed_count"] = campaign.recipients.filter(unsubscribed_at__isnull=False).count()
    context["can_send"] = selectors.can_send_campaigns(request.user)
    context["can_edit"] = selectors.can_edit_campaign(request.user, campaign)
    return render(request, "customers/campaign_detail.html", context)


@role_required(write=True)
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm with the number of recipients; POST: send (managers, P4.2.3)."""
    if not selectors.can_send_campaigns(request.user):
        raise PermissionDenied
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.info(request, _("This campaign was already sent."))
        return redirect("customers:campaign_detail", pk=campaign.pk)
    tags = list(campaign.tags.all())
    audience = selectors.campaign_audience(campaign, tag_ids=[t.pk for t in tags])
    if request.method == "POST":
        if request.POST.get("version") != campaign.updated_at.isoformat():
            # Edited since the confirmation page was shown: confirm what will really go out.
            messages.warning(request, _("The campaign was changed since you opened this page: please check it again."))
            return redirect("customers:campaign_send", pk=campaign.pk)
        if not audience.exists():
            messages.error(request, _("No contact in this audience agreed to product news: nothing was sent."))
            return redirect("customers:campaign_detail", pk=campaign.pk)
        try:
            count = services.campaign_send(campaign=campaign, user=request.user, contacts=audience)
        except services.CampaignAlreadySent:
            messages.info(request, _("This campaign was already sent."))
        else:
            message = ngettext(
                "The campaign is being sent to %(n)d contact.", "The campaign is being sent to %(n)d contacts.", count
            )
            messages.success(request, message % {"n": count})
        return redirect("customers:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "customers/campaign_send.html",
        {"campaign": campaign, "count": audience.count(), "segment": _segment_labels(campaign, tags)},
    )


# --- Public unsubscribe page (no login) -----------------------------------------------------------

MAX_BODY_BYTES = 4 * 1024
RATE_LIMIT_POSTS = 20
RATE_LIMIT_WINDOW = 600  # seconds


def _public(request: HttpRequest, language: str, context: dict, status: int = 200) -> HttpResponse:
    language = public_language(request, language)
    return public_render(request, "customers/unsubscribe.html", language, context, status)


ONE_CLICK_BODY = b"List-Unsubscribe=One-Click"


@csrf_exempt  # checked below, except for a mail program's RFC 8058 one-click POST
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST withdraws the consent at once (P4.2.3).

    The confirmation form is CSRF-protected. A mail program's one-click unsubscribe
    (RFC 8058: a POST whose body is exactly ``List-Unsubscribe=One-Click``) carries no CSRF
    token and needs none: the secret token in the URL is what authorises it, and the
    only thing it can do is stop emails to that one recipient.
    """
    fallback = settings.LANGUAGE_CODE
    if request.method == "POST":
        if body_too_large(request, MAX_BODY_BYTES):
            return _public(request, fallback, {"state": "error"}, status=400)
        if count_post(f"unsubscribe-post:{client_address(request)}", RATE_LIMIT_POSTS, RATE_LIMIT_WINDOW):
            return _public(request, fallback, {"state": "rate_limited"}, status=429)
        if request.body.strip() != ONE_CLICK_BODY:
            rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if rejected is not None:
                return rejected
    try:
        recipient = services.recipient_for_token(token)
    except services.TokenInvalid:
        return _public(request, fallback, {"state": "invalid"}, status=404)
    if request.method == "POST":
        services.unsubscribe(token=token)
        return _public(request, recipient.language, {"state": "done"})
    state = "already" if recipient.unsubscribed_at or not recipient.contact.marketing_consent else "confirm"
    return _public(request, recipient.language, {"state": state})
