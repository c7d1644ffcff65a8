"""Agreements' rules (P4.3.2), against the services and the scan: the term, one agreement in
force of a type per partner, obligations of ours as follow-ups, execution reviews with
corrective actions, renewal, and the scan's effects happening once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.models import CorrectiveAction, Notification
from crm.scheduler import scan_run
from partners.agreements import services
from partners.agreements.models import Agreement, AgreementStatus, ExecutionReview, ObligationStatus
from partners.models import FollowUp
from tests.factories import PartnerFactory

TODAY = dt.date(2026, 6, 1)


def _data(manager, **overrides) -> dict:
    data = {
        "title": "Joint R&D",
        "kind": "cooperation",
        "owner": manager,
        "scope": "Joint development",
        "benefit_sharing": "50/50",
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=365),
        "notice_days": 60,
        "review_cadence": "quarterly",
        "status": "active",
    }
    return data | overrides


@pytest.fixture
def ally(staff):
    return PartnerFactory(name="Bright Labs", family="partner", owner=staff)


def test_an_active_agreement_schedules_its_first_review_one_cadence_after_its_start(manager, ally):
    agreement = services.agreement_create(data=_data(manager), partners=[ally], by=manager)
    assert agreement.next_review_on == dt.date(2026, 9, 1)
    assert list(agreement.partners.all()) == [ally]
    assert agreement.department_id == ally.department_id


def test_an_end_before_the_start_is_refused_and_nothing_saved(manager, ally):
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            data=_data(manager, ends_on=TODAY - dt.timedelta(days=1)), partners=[ally], by=manager
        )
    assert "The term cannot end before it starts." in exc.value.message_dict["ends_on"]
    assert not Agreement.objects.exists()


def test_overlapping_active_agreements_of_a_type_for_a_partner_are_refused(manager, ally):
    services.agreement_create(data=_data(manager), partners=[ally], by=manager)
    later = _data(manager, title="Second", starts_on=TODAY + dt.timedelta(days=100))
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(data=later, partners=[ally], by=manager)
    assert "is already active for this partner" in exc.value.message_dict["starts_on"][0]
    assert Agreement.objects.count() == 1
    # Another type, a draft, or a term after the first one's end: allowed.
    services.agreement_create(data=later | {"kind": "nda"}, partners=[ally], by=manager)
    services.agreement_create(data=later | {"status": "draft"}, partners=[ally], by=manager)
    after = TODAY + dt.timedelta(days=366)
    services.agreement_create(
        data=later | {"starts_on": after, "ends_on": after + dt.timedelta(days=30)}, partners=[ally], by=manager
    )


def test_only_the_departments_managers_create_agreements(staff, manager_sales, ally):
    for user in (staff, manager_sales):
        with pytest.raises(PermissionDenied):
            services.agreement_create(data=_data(user), partners=[ally], by=user)


def test_an_obligation_of_ours_is_its_owners_follow_up_and_closes_with_it(manager, staff, ally):
    agreement = services.agreement_create(data=_data(manager), partners=[ally], by=manager)
    ours = services.obligation_add(
        agreement=agreement,
        data={"party": "ours", "description": "Send forecast", "due_on": TODAY, "owner": staff},
        by=manager,
    )
    theirs = services.obligation_add(
        agreement=agreement, data={"party": "theirs", "description": "Report", "due_on": TODAY}, by=manager
    )
    followup = FollowUp.objects.get()
    assert ours.followup == followup and followup.owner == staff and followup.partner == ally
    assert "Send forecast" in followup.description
    assert theirs.followup is None
    services.obligation_set_status(obligation=ours, status=ObligationStatus.MET, by=staff)
    followup.refresh_from_db()
    assert followup.done_at is not None


def test_a_review_raises_its_corrective_action_and_moves_the_next_review(manager, staff, ally):
    agreement = services.agreement_create(data=_data(manager), partners=[ally], by=manager)
    review = services.review_record(
        agreement=agreement,
        data={"rating": 2, "issues": "Late samples", "resolution": "Weekly calls", "reviewed_on": TODAY},
        actions=[{"description": "Fix the sample schedule", "owner": staff, "due_on": TODAY}],
        by=manager,
    )
    assert review.due_on == dt.date(2026, 9, 1)
    action = CorrectiveAction.objects.get()
    assert action.source == review and action.owner == staff and action.department == agreement.department
    agreement.refresh_from_db()
    assert agreement.next_review_on == dt.date(2026, 12, 1)


def test_a_renewal_links_to_the_old_agreement_which_becomes_renewed(manager, ally):
    old = services.agreement_create(data=_data(manager), partners=[ally], by=manager)
    new = services.agreement_renew(agreement=old, ends_on=old.ends_on + dt.timedelta(days=365), by=manager)
    old.refresh_from_db()
    assert new.renews == old and old.renewal == new
    assert old.status == AgreementStatus.RENEWED and new.status == AgreementStatus.DRAFT
    assert new.starts_on == old.ends_on + dt.timedelta(days=1)
    assert list(new.partners.all()) == [ally]


def test_the_scan_sends_each_notice_once_and_moves_the_status(manager, staff, ally, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    agreement = services.agreement_create(data=_data(manager), partners=[ally], by=manager)
    services.obligation_add(
        agreement=agreement,
        data={"party": "theirs", "description": "Report", "due_on": TODAY, "owner": staff},
        by=manager,
    )

    def at(day: dt.date):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))

    scan_run("agreements", now=at(TODAY))  # the partner's obligation is due
    assert Notification.objects.filter(kind="agreement_obligation_due", recipient=staff).count() == 1
    review_day = dt.date(2026, 9, 1)
    scan_run("agreements", now=at(review_day))
    scan_run("agreements", now=at(review_day))  # a rerun adds nothing
    assert Notification.objects.filter(kind="agreement_review_due").count() == 1  # owner = manager
    assert Notification.objects.filter(kind="agreement_obligation_due").count() == 1
    notice_day = agreement.ends_on - dt.timedelta(days=60)
    scan_run("agreements", now=at(notice_day))
    scan_run("agreements", now=at(notice_day))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRING
    assert Notification.objects.filter(kind="agreement_expiry_notice").count() == 1
    scan_run("agreements", now=at(agreement.ends_on + dt.timedelta(days=1)))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED
    assert Notification.objects.filter(kind="agreement_expired").count() == 1
    assert not ExecutionReview.objects.exists()
