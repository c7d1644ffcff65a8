"""Reads of the suppliers app: access to a document, the partner page's card, history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from partners.models import Family, Partner
from partners.selectors import can_edit_partner

from .models import QualificationDocument

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def qualification_get_for_user(*, user: User, pk: int, write: bool = False) -> QualificationDocument:
    try:
        doc = QualificationDocument.objects.select_related("partner").get(pk=pk)
    except QualificationDocument.DoesNotExist:
        raise Http404 from None
    if not roles.has_any_role(user) or (write and not can_edit_partner(user, doc.partner)):
        raise PermissionDenied
    return doc


# --- Expired and expiring: decided here only (issue #12 §4) ---------------------------------------
#
# Expired: the expiry date has passed (a document expiring today is still valid today).
# Expiring: valid today and expiring within RAPPORT_QUALIFICATION_WARN_DAYS. Every page and the
# reminder scan read these, so "expiring" never lists a certificate that expired months ago.


def qualification_warning_horizon(today: dt.date) -> dt.date:
    """The last expiry date that counts as "expiring" on ``today``."""
    return today + dt.timedelta(days=settings.RAPPORT_QUALIFICATION_WARN_DAYS)


def qualification_expired_q(today: dt.date) -> Q:
    return Q(expires_on__lt=today)


def qualification_expiring_q(today: dt.date) -> Q:
    return Q(expires_on__gte=today, expires_on__lte=qualification_warning_horizon(today))


def qualification_is_expired(doc: QualificationDocument, today: dt.date) -> bool:
    return doc.expires_on is not None and doc.expires_on < today


def qualification_is_expiring(doc: QualificationDocument, today: dt.date) -> bool:
    return doc.expires_on is not None and today <= doc.expires_on <= qualification_warning_horizon(today)


@dataclass
class QualificationAlerts:
    expired: list[QualificationDocument] = field(default_factory=list)  # longest expired first
    expiring: list[QualificationDocument] = field(default_factory=list)  # soonest first


def qualification_alerts(*, partner: Partner, today: dt.date | None = None) -> QualificationAlerts:
    """A supplier's expired documents and those expiring soon, apart: one query (none for
    other families)."""
    alerts = QualificationAlerts()
    if partner.family != Family.SUPPLIER:
        return alerts
    today = today or timezone.localdate()
    for doc in partner.qualifications.filter(expires_on__lte=qualification_warning_horizon(today)).order_by(
        "expires_on", "pk"
    ):
        (alerts.expired if qualification_is_expired(doc, today) else alerts.expiring).append(doc)
    return alerts


def qualifications_panel(*, partner: Partner, user: User, **_kwargs) -> dict | None:
    """The partner page's "Qualification documents" card, for suppliers (one query): each
    document flagged expired or expiring by the rule above."""
    if partner.family != Family.SUPPLIER:
        return None
    today = timezone.localdate()
    documents = list(partner.qualifications.all())
    for doc in documents:
        doc.is_expired = qualification_is_expired(doc, today)
        doc.is_expiring = qualification_is_expiring(doc, today)
    return {
        "qualifications": documents,
        "can_edit": can_edit_partner(user, partner),
        "warning_days": settings.RAPPORT_QUALIFICATION_WARN_DAYS,
    }


def qualification_history(partner: Partner) -> tuple:
    """The partner's history page lists document changes too (P3.1)."""
    return (QualificationDocument.history.filter(partner_id=partner.pk), _("Qualification document"), ())
