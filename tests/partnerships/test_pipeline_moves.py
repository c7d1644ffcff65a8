"""The partnership pipeline's moves (P4.3.1): allowed and refused, the reason of a rejection, the
assessment gate, the registry status that follows, and who may move."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations.services import evaluation_close, sheet_submit
from partners.models import Partner, Status
from partners.partnerships.models import Partnership, Stage
from partners.partnerships.selectors import partner_stage, partnership_for, stage_move_problem
from partners.partnerships.services import partnership_move
from tests.factories import PartnerFactory
from tests.partnerships.assessing import assess, prospect


def stage(partner: Partner) -> str | None:
    partner.refresh_from_db()
    return partner_stage(partner, partnership_for(partner))


def walk(partner: Partner, manager, *stages: str) -> None:
    for to in stages:
        partnership_move(partner_id=partner.pk, to_stage=to, by=manager)


@pytest.fixture
def candidate(staff):
    return prospect(staff, name="Lingxi Robotics")


def test_a_new_prospect_is_identified_and_has_no_row_yet(candidate):
    assert stage(candidate) == Stage.IDENTIFIED
    assert not Partnership.objects.exists()


def test_the_main_line_after_a_completed_assessment_ends_active(candidate, staff, manager):
    assess(candidate, staff, manager)
    walk(candidate, manager, Stage.ASSESSED, Stage.NEGOTIATING)
    assert stage(candidate) == Stage.NEGOTIATING
    assert candidate.status == Status.CANDIDATE
    walk(candidate, manager, Stage.ACTIVE)
    assert stage(candidate) == Stage.ACTIVE
    assert candidate.status == Status.ACTIVE  # through the partner update service


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ((), Stage.NEGOTIATING),  # a stage cannot be skipped
        ((), Stage.ACTIVE),
        ((Stage.ASSESSED,), Stage.ACTIVE),
        ((Stage.ASSESSED,), Stage.IDENTIFIED),  # no way back but through a rejection
        ((Stage.ASSESSED, Stage.NEGOTIATING, Stage.ACTIVE), Stage.REJECTED),  # active: the registry's
        ((Stage.ASSESSED, Stage.NEGOTIATING, Stage.ACTIVE), Stage.NEGOTIATING),
    ],
)
def test_moves_the_table_does_not_allow_are_refused_and_write_nothing(candidate, staff, manager, path, to):
    assess(candidate, staff, manager)
    walk(candidate, manager, *path)
    before = (stage(candidate), candidate.status, Partnership.history.count())
    with pytest.raises(ValidationError, match="cannot go from"):
        partnership_move(partner_id=candidate.pk, to_stage=to, by=manager, reason="No")
    assert (stage(candidate), candidate.status, Partnership.history.count()) == before


def test_assessed_needs_a_completed_assessment(candidate, staff, manager):
    with pytest.raises(ValidationError, match="no completed partner assessment"):
        partnership_move(partner_id=candidate.pk, to_stage=Stage.ASSESSED, by=manager)
    evaluation = assess(candidate, staff, manager, close=False)  # scored, not closed: not completed
    with pytest.raises(ValidationError, match="no completed partner assessment"):
        partnership_move(partner_id=candidate.pk, to_stage=Stage.ASSESSED, by=manager)
    assert not Partnership.objects.exists()
    sheet_submit(sheet=evaluation.sheets.get(), by=staff)
    evaluation_close(evaluation=evaluation, by=manager)
    partnership_move(partner_id=candidate.pk, to_stage=Stage.ASSESSED, by=manager)
    assert stage(candidate) == Stage.ASSESSED


def test_rejecting_needs_a_reason_and_writes_nothing_without_one(candidate, manager):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason=reason)
        assert "reason" in refused.value.message_dict
    assert not Partnership.objects.exists()
    assert Partner.objects.get(pk=candidate.pk).status == Status.CANDIDATE


def test_rejecting_terminates_the_candidate_and_keeps_the_reason(candidate, manager):
    row = partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="Wrong market")
    assert stage(candidate) == Stage.REJECTED
    assert candidate.status == Status.TERMINATED
    assert row.rejection_reason == "Wrong market" and row.moved_by == manager


def test_a_rejected_partner_is_reconsidered_from_the_beginning(candidate, manager):
    walk(candidate, manager)
    partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="Too early")
    partnership_move(partner_id=candidate.pk, to_stage=Stage.IDENTIFIED, by=manager, note="They grew")
    assert stage(candidate) == Stage.IDENTIFIED
    assert candidate.status == Status.CANDIDATE
    assert Partnership.objects.get().rejection_reason == ""  # the history keeps it
    assert Partnership.history.filter(rejection_reason="Too early").exists()


def test_only_the_departments_managers_move_a_partner(candidate, staff, manager_sales, supervisor, admin_user):
    for user in (staff, manager_sales, supervisor):
        with pytest.raises(PermissionDenied):
            partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=user, reason="No")
    assert not Partnership.objects.exists()
    partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=admin_user, reason="No")


def test_a_move_from_a_stage_the_user_no_longer_sees_is_refused(candidate, manager):
    partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="No")
    with pytest.raises(ValidationError, match="in the meantime"):
        partnership_move(
            partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="No", expected_stage=Stage.IDENTIFIED
        )
    assert Partnership.history.count() == 2  # created at "identified", then rejected


def test_other_families_and_archived_partners_are_not_moved(staff, manager, supplier):
    with pytest.raises(ValidationError, match="partner family"):
        partnership_move(partner_id=supplier.pk, to_stage=Stage.REJECTED, by=manager, reason="No")
    archived = prospect(staff)
    Partner.objects.filter(pk=archived.pk).update(archived_at=archived.created_at)
    with pytest.raises(ValidationError, match="archived"):
        partnership_move(partner_id=archived.pk, to_stage=Stage.REJECTED, by=manager, reason="No")
    assert not Partnership.objects.exists()


def test_superusers_pass_the_gate_but_not_the_table(candidate, admin_user):
    assert (
        stage_move_problem(partner=candidate, current=Stage.IDENTIFIED, to_stage=Stage.ASSESSED, user=admin_user) == ""
    )
    assert "cannot go from" in stage_move_problem(
        partner=candidate, current=Stage.IDENTIFIED, to_stage=Stage.ACTIVE, user=admin_user
    )


def test_a_relationship_that_ended_outside_the_pipeline_is_in_no_stage(staff, manager):
    ended = PartnerFactory(owner=staff, family="partner", status=Status.TERMINATED)
    assert stage(ended) is None
    with pytest.raises(ValidationError, match="no longer in the partnership pipeline"):
        partnership_move(partner_id=ended.pk, to_stage=Stage.IDENTIFIED, by=manager)


def test_every_move_is_a_step_of_the_history_with_who_and_why(candidate, staff, manager):
    assess(candidate, staff, manager)
    partnership_move(partner_id=candidate.pk, to_stage=Stage.ASSESSED, by=manager, note="Strong")
    partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="Price")
    steps = list(Partnership.history.filter(partner_id=candidate.pk).order_by("history_date", "history_id"))
    assert [(s.stage, s.history_user) for s in steps] == [
        (Stage.IDENTIFIED, manager),
        (Stage.ASSESSED, manager),
        (Stage.REJECTED, manager),
    ]
    assert (steps[1].note, steps[2].rejection_reason) == ("Strong", "Price")
    # The registry status change is on the partner's own history too.
    assert Partner.history.filter(id=candidate.pk, status=Status.TERMINATED).exists()
