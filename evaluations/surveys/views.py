"""Satisfaction survey pages (P4.1.3, P4.2.3, P5.2).

Signed-in pages: the survey list, creating and sending a survey, the results. The public
page ``respond`` answers a single-use link without login: it shows no partner or contact
name, says only "invalid", "expired" or "already answered" when the link cannot be used,
and is protected by CSRF, a body size limit and a rate limit per address and link.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from crm.bilingual import in_language
from crm.csv_export import csv_response, xlsx_response
from crm.forms import form_data
from crm.public import MAX_BODY_BYTES, body_too_large, client_address, count_post, public_language, public_render
from crm.roles import role_required
from partners.models import Family

from . import selectors, services
from .filters import ALL_YEARS, ResultsFilter
from .forms import (
    SURVEY_FAMILIES,
    ResponseForm,
    SendForm,
    SurveyForm,
)
from .models import QuestionKind, Survey

# --- Signed-in pages -----------------------------------------------------------------------


@role_required()
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = selectors.survey_list_for_user(user=request.user)[:200]
    return render(
        request,
        "surveys/survey_list.html",
        {"surveys": surveys, "can_send": selectors.can_send_surveys(request.user)},
    )


@role_required(write=True)
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(form_data(request), initial={"family": request.GET.get("family") or Family.CUSTOMER})
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Survey created. Now choose the contacts to invite."))
        return redirect("surveys:survey_detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


@role_required()
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_user(user=request.user, pk=pk)
    invitations = survey.invitations.select_related("partner", "contact").order_by("partner__name", "pk")
    can_send = selectors.can_send_surveys(request.user)
    send_form = SendForm(contacts=selectors.contacts_to_invite(user=request.user, survey=survey)) if can_send else None
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "invitations": invitations,
            "send_form": send_form,
            "questions": survey.template.questions.all(),
            "comments": selectors.survey_comments(survey=survey),
        },
    )


@role_required(write=True)
@require_POST
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for_user(user=request.user, pk=pk)
    if not selectors.can_send_surveys(request.user):
        raise PermissionDenied
    form = SendForm(request.POST, contacts=selectors.contacts_to_invite(user=request.user, survey=survey))
    if not form.is_valid():
        messages.error(request, _("Choose at least one contact with an email address."))
        return redirect("surveys:survey_detail", pk=survey.pk)
    invitations = services.survey_send(survey=survey, contacts=form.cleaned_data["contacts"])
    messages.success(request, _("%(n)d invitations sent.") % {"n": len(invitations)})
    return redirect("surveys:survey_detail", pk=survey.pk)


def _results_filters(request: HttpRequest) -> dict:
    """The chosen year, survey and family. No year given: the chosen survey's year, else the
    current year; "all" for every year. A refused value drops that filter only."""
    today = timezone.localdate()
    surveys = [
        (pk, in_language(title, title_zh), start)
        for pk, title, title_zh, start in Survey.objects.order_by("-created_at").values_list(
            "pk", "title", "title_zh", "period_start"
        )[:100]
    ]
    years = sorted({*selectors.survey_years(), today.year}, reverse=True)
    flt = ResultsFilter(request.GET, surveys=[(pk, title) for pk, title, _start in surveys], years=years)
    survey_id, family, year_choice = flt.chosen("survey"), flt.chosen("family"), flt.chosen("year")
    if year_choice == ALL_YEARS:
        year = None
    elif year_choice:
        year = int(year_choice)
    else:
        year = next((start.year for pk, _title, start in surveys if pk == survey_id), today.year)
    return {
        "surveys": [(pk, title) for pk, title, _start in surveys],
        "years": years,
        "families": SURVEY_FAMILIES,
        "survey_id": survey_id,
        "family": family,
        "year": year,
    }


@role_required()
def results(request: HttpRequest) -> HttpResponse:
    """NPS, CSAT, CES with n and response rate for a year (default: this one), against the
    year before, quarter by quarter, and by period, family and department (P5.2)."""
    f = _results_filters(request)
    data = selectors.survey_results(survey_id=f["survey_id"], family=f["family"], year=f["year"])
    trend = {
        "labels": [s.label for s in data.by_quarter],
        "nps": [_number(s.nps) for s in data.by_quarter],
        "csat": [_number(s.csat) for s in data.by_quarter],
        "ces": [_number(s.ces) for s in data.by_quarter],
    }
    return render(
        request,
        "surveys/results.html",
        {
            **f,
            "results": data,
            "trend": trend,
            "all_years": ALL_YEARS,
            "export_query": _export_query(f),
        },
    )


def _export_query(f: dict) -> str:
    """The filters the page applied (the default year included), for its export links."""
    query = {"year": f["year"] or ALL_YEARS, "survey": f["survey_id"] or "", "family": f["family"] or ""}
    return urlencode({k: v for k, v in query.items() if v})


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


EXPORT_HEADER = (
    gettext_noop("Section"),
    gettext_noop("Group"),
    gettext_noop("NPS"),
    gettext_noop("NPS n"),
    gettext_noop("CSAT"),
    gettext_noop("CSAT n"),
    gettext_noop("CES"),
    gettext_noop("CES n"),
    gettext_noop("Invited"),
    gettext_noop("Responses"),
    gettext_noop("Response rate"),
)


@role_required()
def results_export(request: HttpRequest) -> HttpResponse:
    """The results page's figures, with its filters, as CSV (default) or XLSX (P5.2)."""
    f = _results_filters(request)
    data = selectors.survey_results(survey_id=f["survey_id"], family=f["family"], year=f["year"])
    year_label = str(f["year"]) if f["year"] else _("All years")
    sections: list[tuple[str, list[selectors.Scores]]] = [(_("Overall"), [_labelled(data.overall, year_label)])]
    if data.comparison is not None:
        previous = _labelled(data.comparison.previous, str(data.comparison.year - 1))
        sections.append((_("Year before"), [previous]))
    sections += [
        (_("Period"), data.by_period),
        (_("Quarter"), data.by_quarter),
        (_("Family"), data.by_family),
        (_("Department"), data.by_department),
    ]
    rows = [
        [
            section,
            s.label,
            s.nps,
            s.nps_n,
            s.csat,
            s.csat_n,
            s.ces,
            s.ces_n,
            s.invitations,
            s.responses,
            s.response_rate,
        ]
        for section, scores in sections
        for s in scores
    ]
    header = [_(h) for h in EXPORT_HEADER]
    name = f"rapport-survey-results-{f['year'] or ALL_YEARS}-{timezone.localdate().isoformat()}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(filename=f"{name}.xlsx", header=header, rows=rows, title="Results")
    return csv_response(filename=f"{name}.csv", header=header, rows=rows)


def _labelled(scores: selectors.Scores, label: str) -> selectors.Scores:
    scores.label = label
    return scores


# --- Public survey page (no login) -----------------------------------------------------------

RATE_LIMIT_POSTS = 10
RATE_LIMIT_WINDOW = 600  # seconds
RATE_LIMIT_POSTS_PER_ADDRESS = 60


def _rate_limited(request: HttpRequest, token: str) -> bool:
    """Count this POST; True when the address exceeded its allowance for this link (or
    for all links)."""
    address = client_address(request)
    link = services.token_hash(token[: services.TOKEN_MAX_LENGTH])
    over_link = count_post(f"survey-post:{address}:{link}", RATE_LIMIT_POSTS, RATE_LIMIT_WINDOW)
    over_address = count_post(f"survey-post:{address}", RATE_LIMIT_POSTS_PER_ADDRESS, RATE_LIMIT_WINDOW)
    return over_link or over_address


def _token_error_page(request: HttpRequest, exc: services.TokenError, language: str) -> HttpResponse:
    if isinstance(exc, services.TokenUsed):
        return public_render(request, "surveys/public_answered.html", language, status=409)
    if isinstance(exc, services.TokenExpired):
        return public_render(request, "surveys/public_expired.html", language, status=410)
    return public_render(request, "surveys/public_invalid.html", language, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The survey behind a single-use link (P4.1.3, P4.2.3): GET the form, POST answers."""
    fallback = public_language(request, settings.LANGUAGE_CODE)
    if request.method == "POST":
        if body_too_large(request, MAX_BODY_BYTES):
            return public_render(request, "public_error.html", fallback, {"too_large": True}, status=400)
        if _rate_limited(request, token):
            return public_render(request, "public_error.html", fallback, {"rate_limited": True}, status=429)
    try:
        invitation = services.invitation_for_token(token)
    except services.TokenError as exc:
        # A used or expired link still answers in the language it was sent in.
        language = public_language(request, exc.language) if exc.language else fallback
        return _token_error_page(request, exc, language)
    language = public_language(request, invitation.language)
    questions = list(invitation.survey.template.questions.all())
    form = ResponseForm(form_data(request), questions=questions, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(token=token, answers=form.answers(), language=language)
        except services.TokenError as exc:
            return _token_error_page(request, exc, language)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(None if field == "__all__" else field, errors)
        else:
            return public_render(request, "surveys/public_thanks.html", language)
    return public_render(
        request,
        "surveys/public_survey.html",
        language,
        {"survey": invitation.survey, "form": form, "expires_at": invitation.expires_at, "QuestionKind": QuestionKind},
    )


# --- Service cases (signed in) ---------------------------------------------------------------


# --- Public feedback form (no login) ----------------------------------------------------------
