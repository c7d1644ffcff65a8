"""The partner assessment gates a prospective partner becoming active (P4.3.1), in the partner
update service, whatever calls it, as screening gates a supplier (P4.1.1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.selectors import assessment_gate, evaluation_period_not_ended
from partners.models import Partner, Status
from partners.partnerships.models import Stage
from partners.partnerships.services import partnership_move
from partners.services import partner_status_problem, partner_update
from tests.edit_forms import post_edit
from tests.partnerships.assessing import assess, prospect


@pytest.fixture
def candidate(staff):
    return prospect(staff, name="Harbour Bridge")


def test_activation_is_refused_without_a_completed_assessment_and_allowed_after(candidate, staff, manager):
    partnership_move(partner_id=candidate.pk, to_stage=Stage.REJECTED, by=manager, reason="Later")
    partnership_move(partner_id=candidate.pk, to_stage=Stage.IDENTIFIED, by=manager)
    assert "no completed partner assessment" in assessment_gate(Partner.objects.get(pk=candidate.pk))
    assess(candidate, staff, manager)
    assert assessment_gate(Partner.objects.get(pk=candidate.pk)) == ""
    for to in (Stage.ASSESSED, Stage.NEGOTIATING, Stage.ACTIVE):
        partnership_move(partner_id=candidate.pk, to_stage=to, by=manager)
    assert Partner.objects.get(pk=candidate.pk).status == Status.ACTIVE


def test_the_update_service_refuses_activating_a_prospect_whoever_calls(candidate, staff, manager):
    with pytest.raises(ValidationError) as refused:
        partner_update(pk=candidate.pk, changed={"status": Status.ACTIVE}, user=manager)
    assert "status" in refused.value.message_dict
    assess(candidate, staff, manager)
    # Assessed, but the pipeline decides when: after the negotiation, not from the partner form.
    with pytest.raises(ValidationError, match="through the partnership pipeline"):
        partner_update(pk=candidate.pk, changed={"status": Status.ACTIVE}, user=manager)
    with pytest.raises(ValidationError, match="rejected in the partnership pipeline"):
        partner_update(pk=candidate.pk, changed={"status": Status.TERMINATED}, user=manager)
    assert Partner.objects.get(pk=candidate.pk).status == Status.CANDIDATE


def test_the_partner_form_shows_the_refusal_next_to_the_status(client, candidate, manager):
    client.force_login(manager)
    url = reverse("partners:edit", args=[candidate.pk])
    response = post_edit(
        client,
        url,
        {"name": candidate.name, "kind": candidate.kind, "status": Status.ACTIVE, "tier": candidate.tier},
    )
    assert response.status_code == 200
    assert "through the partnership pipeline" in response.context["form"].errors["status"][0]
    assert Partner.objects.get(pk=candidate.pk).status == Status.CANDIDATE


def test_a_new_partner_of_the_family_starts_as_a_candidate(client, staff):
    client.force_login(staff)
    form = client.get(reverse("partners:create", args=["partner"])).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == [Status.CANDIDATE]


def test_superusers_override_the_gate(candidate, admin_user):
    assert partner_status_problem(partner=candidate, to_status=Status.ACTIVE, user=admin_user) == ""


def test_the_gate_leaves_partners_in_a_relationship_and_other_families_alone(staff, supplier):
    active = prospect(staff, status=Status.PROBATION)
    assert assessment_gate(active) == ""
    assert assessment_gate(supplier) == ""


def test_a_prospects_assessment_closes_as_soon_as_it_is_scored(candidate, staff, manager):
    """It rates the prospect as it is today, not the year of cooperation its period names."""
    evaluation = assess(candidate, staff, manager, close=False)
    assert not evaluation_period_not_ended(evaluation)
    Partner.objects.filter(pk=candidate.pk).update(status=Status.ACTIVE)
    evaluation.partner.refresh_from_db()
    assert evaluation_period_not_ended(evaluation)  # a partner's yearly assessment waits for its year
