"""Reads of the suppliers app: access to a document, the partner page's card, history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
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


def qualifications_panel(*, partner: Partner, user: User, **_kwargs) -> dict | None:
    """The partner page's "Qualification documents" card, for suppliers (one query)."""
    if partner.family != Family.SUPPLIER:
        return None
    today = timezone.localdate()
    return {
        "qualifications": list(partner.qualifications.all()),
        "can_edit": can_edit_partner(user, partner),
        "today": today,
        "soon": today + dt.timedelta(days=60),
    }


def qualification_history(partner: Partner) -> tuple:
    """The partner's history page lists document changes too (P3.1)."""
    return (QualificationDocument.history.filter(partner_id=partner.pk), _("Qualification document"), ())
