"""The pipeline on the partner's page, the move's confirmation page and the pipeline list
(P4.3.1): what each role sees, what a move writes, and bad input that writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from partners.models import Partner, Status
from partners.partnerships.models import Partnership, Stage
from partners.partnerships.services import partnership_move
from tests.crm.test_live_filter import HTMX
from tests.factories import PartnerFactory, department
from tests.partnerships.assessing import assess, prospect


def move_url(partner: Partner, stage: str) -> str:
    return reverse("partnerships:move", args=[partner.pk, stage])


@pytest.fixture
def candidate(staff):
    return prospect(staff, name="Meridian Data")


def page(client, user, partner: Partner) -> str:
    client.force_login(user)
    response = client.get(partner.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_partner_page_shows_the_stage_the_result_and_the_next_steps(client, candidate, staff, manager):
    body = page(client, manager, candidate)
    assert 'id="pipeline"' in body and "Identified" in body
    # Assessed waits for the assessment and says so; rejecting is offered.
    assert "no completed partner assessment" in body
    assert move_url(candidate, Stage.REJECTED) in body and move_url(candidate, Stage.ASSESSED) not in body
    assert "Not assessed yet" in body and 'id="start-assessment"' in body

    assess(candidate, staff, manager, rating=4)
    body = page(client, manager, candidate)
    assert 'id="assessment-result"' in body and '<span class="fs-4">75</span>' in body
    assert "At or above the pass threshold (70)." in body
    assert reverse("evaluations:detail", args=[candidate.evaluations.get().pk]) in body  # by criterion
    assert move_url(candidate, Stage.ASSESSED) in body


def test_staff_see_the_pipeline_but_no_move(client, candidate, staff):
    body = page(client, staff, candidate)
    assert 'id="pipeline"' in body
    assert move_url(candidate, Stage.REJECTED) not in body
    assert "The managers of the partner's department move it through the pipeline." in body


def test_other_families_have_no_pipeline_card(client, supplier, manager):
    body = page(client, manager, supplier)
    assert 'id="pipeline"' not in body and 'id="assessment"' not in body


def test_a_move_asks_to_confirm_then_moves_with_a_message(client, candidate, staff, manager):
    assess(candidate, staff, manager)
    client.force_login(manager)
    confirm = client.get(move_url(candidate, Stage.ASSESSED)).content.decode()
    assert "Move Meridian Data to “Assessed”?" in confirm and 'name="note"' in confirm
    assert not Partnership.objects.exists()  # asking writes nothing
    response = client.post(
        move_url(candidate, Stage.ASSESSED), {"expected": Stage.IDENTIFIED, "note": "Strong result"}, follow=True
    )
    assert "Meridian Data is now at the stage “Assessed”." in response.content.decode()
    row = Partnership.objects.get(partner=candidate)
    assert (row.stage, row.note, row.moved_by) == (Stage.ASSESSED, "Strong result", manager)
    # The step is on the partner's page and on its history page, with who and when.
    assert "Strong result" in page(client, manager, candidate)
    history = client.get(reverse("partners:history", args=[candidate.pk])).content.decode()
    assert "Partnership pipeline" in history and "Assessed" in history and "Strong result" in history


def test_activation_from_the_page_makes_the_partner_active(client, candidate, staff, manager):
    assess(candidate, staff, manager)
    for to in (Stage.ASSESSED, Stage.NEGOTIATING):
        partnership_move(partner_id=candidate.pk, to_stage=to, by=manager)
    client.force_login(manager)
    client.post(move_url(candidate, Stage.ACTIVE), {"expected": Stage.NEGOTIATING, "note": "Signed"})
    assert Partner.objects.get(pk=candidate.pk).status == Status.ACTIVE
    body = page(client, manager, candidate)
    assert "Signed" in body and 'aria-current="step">✓' not in body


def test_rejecting_without_a_reason_keeps_the_form_and_writes_nothing(client, candidate, manager):
    client.force_login(manager)
    for reason in ("", "   "):
        response = client.post(move_url(candidate, Stage.REJECTED), {"expected": Stage.IDENTIFIED, "reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
        assert 'name="reason"' in response.content.decode()
    assert not Partnership.objects.exists()
    assert Partner.objects.get(pk=candidate.pk).status == Status.CANDIDATE


def test_a_refused_move_shows_why_and_writes_nothing(client, candidate, manager):
    client.force_login(manager)
    confirm = client.get(move_url(candidate, Stage.ASSESSED)).content.decode()
    assert 'id="move-problem"' in confirm and "no completed partner assessment" in confirm
    response = client.post(move_url(candidate, Stage.ASSESSED), {"expected": Stage.IDENTIFIED})
    assert response.status_code == 200
    assert "no completed partner assessment" in str(response.context["form"].non_field_errors())
    assert not Partnership.objects.exists()


def test_a_stale_confirmation_page_is_refused(client, candidate, manager):
    client.force_login(manager)
    partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="No")
    response = client.post(move_url(candidate, Stage.REJECTED), {"expected": Stage.IDENTIFIED, "reason": "Again"})
    assert "in the meantime" in response.content.decode()
    assert Partnership.history.count() == 2


def test_only_the_departments_managers_may_open_a_move(client, candidate, staff, manager_sales, supervisor):
    for user, code in ((staff, 403), (manager_sales, 403), (supervisor, 403)):
        client.force_login(user)
        assert client.get(move_url(candidate, Stage.REJECTED)).status_code == code
        assert client.post(move_url(candidate, Stage.REJECTED), {"reason": "x"}).status_code == code
    assert not Partnership.objects.exists()


def test_a_move_of_another_family_or_an_unknown_stage_is_not_found(client, supplier, candidate, manager):
    client.force_login(manager)
    assert client.get(move_url(supplier, Stage.REJECTED)).status_code == 404
    assert client.get(reverse("partnerships:move", args=[candidate.pk, "signed"])).status_code == 404


def test_starting_the_assessment_lands_on_the_evaluators_sheet(client, candidate, staff):
    client.force_login(staff)
    response = client.post(reverse("evaluations:assessment_open", args=[candidate.pk]))
    evaluation = Evaluation.objects.get(partner=candidate)
    assert evaluation.template.purpose == "partner_assessment"
    assert response["Location"] == reverse("evaluations:sheet", args=[evaluation.sheets.get().pk])
    body = page(client, staff, candidate)
    assert 'id="assessment-in-progress"' in body and 'id="start-assessment"' not in body


def test_the_list_shows_the_pipeline_by_stage(client, staff, manager):
    waiting = prospect(staff, name="Alpha Sensors")
    assessed = prospect(staff, name="Beta Channels")
    assess(assessed, staff, manager)
    partnership_move(partner_id=assessed.pk, to_stage=Stage.ASSESSED, by=manager, note="Go on")
    rejected = prospect(staff, name="Gamma Robotics")
    partnership_move(partner_id=rejected.pk, to_stage=Stage.REJECTED, by=manager, reason="No channels")
    PartnerFactory(owner=staff, family="partner", name="Delta Active")
    PartnerFactory(owner=staff, name="Supplier Not Listed", status=Status.CANDIDATE)
    client.force_login(staff)
    url = reverse("partnerships:pipeline")

    body = client.get(url).content.decode()  # the prospects by default
    assert "Alpha Sensors" in body and "Beta Channels" in body and "Go on" in body
    assert "Gamma Robotics" not in body and "Delta Active" not in body and "Supplier Not Listed" not in body
    assert "stage=rejected" in body

    body = client.get(url, {"stage": Stage.REJECTED}).content.decode()
    assert "Gamma Robotics" in body and "No channels" in body and "Alpha Sensors" not in body
    body = client.get(url, {"stage": "all", "q": "robot"}).content.decode()
    assert "Gamma Robotics" in body and "Alpha Sensors" not in body
    body = client.get(url, {"stage": Stage.ACTIVE, "department": department("sales").pk}).content.decode()
    assert "No partner in the pipeline matches these filters." in body
    fragment = client.get(url, {"stage": Stage.ASSESSED}, **HTMX).content.decode()
    assert "Beta Channels" in fragment and "<html" not in fragment and waiting.name not in fragment


def test_the_list_ignores_a_bad_filter_value(client, staff):
    prospect(staff, name="Alpha Sensors")
    client.force_login(staff)
    body = client.get(reverse("partnerships:pipeline"), {"stage": "nonsense", "sort": "x", "page": "9"}).content
    assert "Alpha Sensors" in body.decode()
