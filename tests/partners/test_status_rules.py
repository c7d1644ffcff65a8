"""The partner lifecycle is decided once, in the partner update service (issue #9 §5):
allowed moves from STATUS_TRANSITIONS, and the P4.1.1 screening gate evaluations registers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from partners.models import Partner, Status
from partners.services import partner_status_problem, partner_update
from tests.factories import PartnerFactory


def _update(partner: Partner, status: str, user=None) -> Partner:
    return partner_update(pk=partner.pk, changed={"status": status}, user=user)


def test_a_candidate_supplier_cannot_become_active_without_screening(db, manager):
    supplier = PartnerFactory(status=Status.CANDIDATE)
    with pytest.raises(ValidationError, match="has not passed screening"):
        _update(supplier, Status.ACTIVE, user=manager)
    assert Partner.objects.get(pk=supplier.pk).status == Status.CANDIDATE


def test_the_gate_holds_when_no_user_is_given(db):
    supplier = PartnerFactory(status=Status.CANDIDATE)
    with pytest.raises(ValidationError):
        _update(supplier, Status.ACTIVE)


def test_a_screening_override_opens_the_gate(db, manager):
    from evaluations.models import ScreeningOverride

    supplier = PartnerFactory(status=Status.CANDIDATE)
    ScreeningOverride.objects.create(partner=supplier, approved_by=manager, reason="Sole source")
    assert _update(supplier, Status.ACTIVE, user=manager).status == Status.ACTIVE


def test_other_families_are_not_screened(db, staff_sales):
    customer = PartnerFactory(family="customer", status=Status.CANDIDATE)
    assert _update(customer, Status.ACTIVE, user=staff_sales).status == Status.ACTIVE


@pytest.mark.parametrize(("start", "to"), [(Status.TERMINATED, Status.ACTIVE), (Status.CANDIDATE, Status.PROBATION)])
def test_moves_outside_the_lifecycle_are_refused_for_everyone(db, admin_user, start, to):
    partner = PartnerFactory(family="customer", status=start)
    assert partner_status_problem(partner=partner, to_status=to, user=admin_user)
    with pytest.raises(ValidationError, match="cannot go from"):
        _update(partner, to, user=admin_user)
    assert Partner.objects.get(pk=partner.pk).status == start


def test_a_superuser_passes_the_gate_but_not_the_lifecycle(db, admin_user):
    supplier = PartnerFactory(status=Status.CANDIDATE)
    assert _update(supplier, Status.ACTIVE, user=admin_user).status == Status.ACTIVE
