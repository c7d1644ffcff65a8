"""Reads and access checks of agreements (P4.3.2).

Everyone with a role reads agreements (supervision reads everything, P5.1); the managers of the
agreement's department (and superusers) create and edit them, record execution reviews and add
obligations and documents; its staff also update the obligations' status.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.selectors import actions_for_sources
from partners.models import Family, Partner
from partners.selectors import can_manage_partner

from .models import IN_FORCE, Agreement, AgreementStatus, ExecutionReview, Obligation, ObligationStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# How far ahead the dashboard and the partner's card look for what falls due.
DUE_HORIZON_DAYS = 14


# --- Access rules ------------------------------------------------------------------------


def can_manage_agreement(user: User, agreement: Agreement) -> bool:
    """The managers of the agreement's department (and superusers)."""
    if user.is_superuser:
        return True
    return roles.MANAGER in roles.role_names(user) and agreement.department_id == roles.user_department_id(user)


def can_update_obligations(user: User, agreement: Agreement) -> bool:
    """The staff and managers of the agreement's department (and superusers)."""
    if user.is_superuser:
        return True
    return roles.has_write_role(user) and agreement.department_id == roles.user_department_id(user)


def can_create_agreement(user: User, partner: Partner) -> bool:
    """The managers of the partner's department start its agreements."""
    return roles.has_write_role(user) and can_manage_partner(user, partner)


def agreement_get_for_user(*, user: User, pk: int, manage: bool = False, obligations: bool = False) -> Agreement:
    """404 for what does not exist; PermissionDenied without a role, or (``manage``) for
    anyone but the department's managers, or (``obligations``) outside the department."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    try:
        agreement = Agreement.objects.select_related("department", "owner", "renews", "renewal").get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404 from None
    if manage and not (roles.has_write_role(user) and can_manage_agreement(user, agreement)):
        raise PermissionDenied
    if obligations and not can_update_obligations(user, agreement):
        raise PermissionDenied
    return agreement


def review_get_for_user(*, user: User, pk: int) -> ExecutionReview:
    """An execution review, for the managers of its agreement's department (who add its
    corrective actions): 404 for what does not exist, PermissionDenied for anyone else."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    try:
        review = ExecutionReview.objects.select_related("agreement").get(pk=pk)
    except ExecutionReview.DoesNotExist:
        raise Http404 from None
    if not (roles.has_write_role(user) and can_manage_agreement(user, review.agreement)):
        raise PermissionDenied
    return review


# --- The rules ---------------------------------------------------------------------------


def overlapping_agreements(
    *, kind: str, partner_ids: list[int], starts_on: dt.date, ends_on: dt.date, exclude_pk: int | None = None
) -> QuerySet[Agreement]:
    """Agreements in force of the same type, with one of the same partners, whose term
    overlaps [starts_on, ends_on]: a partner has one agreement of a type at a time."""
    qs = Agreement.objects.filter(
        kind=kind,
        status__in=IN_FORCE,
        partners__in=partner_ids,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.distinct()


def review_is_due(agreement: Agreement, today: dt.date) -> bool:
    return agreement.in_force and agreement.next_review_on is not None and agreement.next_review_on <= today


# --- The agreement's page ------------------------------------------------------------------


def agreement_detail_context(*, agreement: Agreement, user: User) -> dict:
    """Partners, obligations, reviews (with their corrective actions) and documents: a fixed
    number of queries."""
    today = timezone.localdate()
    reviews = list(agreement.reviews.select_related("reviewed_by"))
    actions: dict[int, list] = {}
    if reviews:
        for action in actions_for_sources(ExecutionReview, [r.pk for r in reviews]):
            actions.setdefault(action.source_id, []).append(action)
    for review in reviews:
        review.actions = actions.get(review.pk, [])
    obligations = list(agreement.obligations.select_related("owner"))
    for o in obligations:
        o.is_overdue = o.status == ObligationStatus.OPEN and o.due_on < today
    return {
        "agreement": agreement,
        "partners": list(agreement.partners.select_related("department").order_by("name")),
        "obligations": obligations,
        "reviews": reviews,
        "documents": list(agreement.documents.select_related("uploaded_by")),
        "review_due": review_is_due(agreement, today),
        "can_manage": roles.has_write_role(user) and can_manage_agreement(user, agreement),
        "can_update_obligations": can_update_obligations(user, agreement),
        "today": today,
        "Status": AgreementStatus,
        "ObligationStatus": ObligationStatus,
    }


# --- The partner's page and the dashboard --------------------------------------------------


def agreements_panel(*, partner: Partner, user: User, **_kwargs) -> dict | None:
    """The "Agreements" card on every partner's page: any family may hold agreements (supply
    contracts, distribution, cooperation, membership, NDA). No query: a supplier's page is at
    its fifteen-query budget, so the card loads its rows after the page (htmx,
    ``partner_agreements``), with a link to the filtered list as the fallback."""
    return {"can_create": can_create_agreement(user, partner), "partner": partner}


def partner_agreements(*, partner: Partner, today: dt.date | None = None) -> list[Agreement]:
    """The card's rows: the partner's agreements, newest term first, each with its open
    obligations counted and whether its execution review is due. One query."""
    today = today or timezone.localdate()
    agreements = list(
        partner.agreements.annotate(
            open_obligations=Count("obligations", filter=Q(obligations__status=ObligationStatus.OPEN))
        ).order_by("-starts_on", "-pk")[:20]
    )
    for a in agreements:
        a.review_due = review_is_due(a, today)
    return agreements


def agreements_due_for_user(*, user: User, today: dt.date | None = None) -> dict:
    """What falls due in the user's department (every department for superusers and
    supervision): reviews due, agreements in their notice period, our obligations due soon.
    Two queries."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_HORIZON_DAYS)
    agreements = Agreement.objects.filter(status__in=IN_FORCE)
    obligations = Obligation.objects.filter(status=ObligationStatus.OPEN, agreement__status__in=IN_FORCE)
    if not (user.is_superuser or roles.is_supervisor(user)):
        department_id = roles.user_department_id(user)
        agreements = agreements.filter(department_id=department_id)
        obligations = obligations.filter(agreement__department_id=department_id)
    # Reviews due and agreements in their notice period, ten of each, in one query.
    reviews = agreements.filter(next_review_on__lte=horizon).order_by("next_review_on", "pk").values("pk")[:10]
    expiring = agreements.filter(status=AgreementStatus.EXPIRING).order_by("ends_on", "pk").values("pk")[:10]
    rows = list(Agreement.objects.filter(Q(pk__in=Subquery(reviews)) | Q(pk__in=Subquery(expiring))))
    return {
        "reviews_due": sorted(
            (a for a in rows if a.next_review_on and a.next_review_on <= horizon),
            key=lambda a: (a.next_review_on, a.pk),
        )[:10],
        "expiring": sorted((a for a in rows if a.status == AgreementStatus.EXPIRING), key=lambda a: (a.ends_on, a.pk))[
            :10
        ],
        "obligations_due": list(
            obligations.filter(due_on__lte=horizon).select_related("agreement", "owner").order_by("due_on", "pk")[:10]
        ),
        "today": today,
    }


def dashboard_due_panel(*, user: User) -> dict | None:
    """The dashboard's "Agreements: what is due" card (registered in apps.py); nothing when
    nothing is due."""
    due = agreements_due_for_user(user=user)
    if not (due["reviews_due"] or due["expiring"] or due["obligations_due"]):
        return None
    return due


# The families whose history page lists agreements: the partner family (P4.3.2) and associations
# (memberships). A supplier's or customer's history page already spends its fifteen queries.
HISTORY_FAMILIES = (Family.PARTNER, Family.ASSOCIATION)


def agreement_history_source(partner: Partner) -> tuple:
    """The partner's history page lists its agreements' changes (P3.1)."""
    if partner.family not in HISTORY_FAMILIES:
        return (Agreement.history.none(), _("Agreement"), ())  # no query
    return (
        # Each entry is labelled with the agreement's title.
        Agreement.history.filter(id__in=partner.agreements.values("pk")).annotate(name=F("title")),
        _("Agreement"),
        (),
    )


# --- The list ------------------------------------------------------------------------------


def agreement_list_for_user(*, user: User) -> QuerySet[Agreement]:
    """Every agreement, for everyone with a role, with what a row shows."""
    if not roles.has_any_role(user):
        return Agreement.objects.none()
    return Agreement.objects.select_related("department", "owner").prefetch_related("partners")
