"""What the demo holds (seed_demo): one demo seeded for the whole module, read by each test."""

from __future__ import annotations

from django.utils import timezone

DEMO_SIZE = (60, 40)


def test_demo_history_emails_nobody(demo_seeded):
    from crm.models import OutboundEmail

    assert not OutboundEmail.objects.filter(kind__in=["case_reply", "survey_invitation", "campaign"]).exists()


def test_demo_has_corrective_actions_in_every_state(demo_seeded):
    """Open, overdue, awaiting verification and verified (by the supervision group), both
    languages' texts, raised by scorecard plans and supervision findings."""
    from crm.models import CorrectiveAction, corrective_action_overdue_q

    actions = CorrectiveAction.objects.select_related("verified_by", "source_type")
    states = set(actions.values_list("state", flat=True))
    assert {"open", "responded", "verified"} <= states
    assert actions.filter(corrective_action_overdue_q(timezone.localdate())).exists()
    assert actions.filter(state="open", due_on__gte=timezone.localdate()).exists()
    for action in actions.filter(state="verified"):
        assert action.verified_by.groups.filter(name="Supervision").exists()
        assert action.verified_by_id != action.owner_id and action.response
    # Raised by scorecard plans and, since issue #11, by supervision findings and the
    # published annual report's improvement plan.
    assert {a.source_type.model for a in actions} == {"correctiveactionplan", "finding", "reportplanitem"}
