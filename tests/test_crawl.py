"""Every role opens every page in every state a record can be in, and none answers 5xx
(issue #10 §9: the supervision group got a 500 on every unassigned case).

The pages are the permission matrix's (every routed URL with a GET entry); the states are
those that made pages break before: an unassigned case, a closed case, an archived partner, a
case whose contact was deleted, people who left (deactivated owners, authors and
assignees), a closed inspection whose finding has actions, and a sampled record deleted.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.cases.models import CaseStatus
from partners.cases.services import case_transition
from partners.models import Partner
from tests.test_permissions_matrix import MATRIX, world  # noqa: F401  (the shared fixture)

# /readyz answers 503 by design here (no worker or beat has run in the test world): a
# service's state, not a broken page (tests/crm/test_health.py).
PAGES = [
    (name, build) for name, (build, methods) in MATRIX.items() if "get" in methods and name not in ("logout", "readyz")
]


def _unassigned(users, objects):
    objects["case"].assignee = None
    objects["case"].save(update_fields=["assignee"])


def _closed(users, objects):
    case = objects["case"]
    for status in (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case_transition(case=case, user=users["manager"], to_status=status, resolution="Done")


def _archived(users, objects):
    Partner.objects.filter(pk=objects["partner"].pk).update(archived_at=timezone.now())


def _contact_deleted(users, objects):
    case = objects["case"]
    case.contact = objects["contact"]
    case.save(update_fields=["contact"])
    objects["contact"].delete()


def _people_left(users, objects):
    # The staff member who owns the partner, wrote the interaction and is assigned the case.
    objects["case"].assignee = users["staff"]
    objects["case"].save(update_fields=["assignee"])
    users["staff"].is_active = False
    users["staff"].save(update_fields=["is_active"])


def _inspection_closed(users, objects):
    """The plan closed with its grades final; its finding has an answered action (issue #11)."""
    from crm.services import corrective_action_respond
    from supervision import services as supervision

    supervisor, plan = users["supervisor"], objects["plan"]
    item = objects["sample_item"]
    supervision.sample_item_grade(
        item=item, grade="nonconforming", checklist_item=plan.checklist.first(), note="Gap", by=supervisor
    )
    objects["finding"].evidence.add(item)
    supervision.plan_close(plan=plan, by=supervisor)
    action = supervision.finding_raise_action(
        finding=objects["finding"],
        description="Add outcomes",
        owner=users["staff"],
        due_on=timezone.localdate(),
        by=supervisor,
    )
    corrective_action_respond(action=action, by=users["staff"], response="Done")


def _sampled_record_deleted(users, objects):
    """The sample's record is gone: its page shows the label drawn, marked deleted."""
    from partners.models import Interaction

    Interaction.objects.filter(pk=objects["sample_item"].record_id).delete()


# The records as created are not a state here: the permission matrix opens every page as
# every role on them already, and asserts each answer (tests/test_permissions_matrix.py).
# States that touch different records share a crawl; the two that give the case opposite
# assignees (nobody, a person who left) and the closed case stay apart.
STATES = {
    "unassigned case, archived partner, sampled record deleted": (_unassigned, _archived, _sampled_record_deleted),
    "closed case whose contact was deleted, inspection closed": (_contact_deleted, _closed, _inspection_closed),
    "people who left": (_people_left,),
}


@pytest.mark.parametrize("state", list(STATES))
def test_every_role_opens_every_page_in_every_state(client, world, state):  # noqa: F811
    users, objects = world
    for make in STATES[state]:
        make(users, objects)
        for obj in objects.values():
            if hasattr(obj, "refresh_from_db") and getattr(obj, "pk", None):
                try:
                    obj.refresh_from_db()
                except obj.DoesNotExist:
                    pass
    broken = []
    # The roles whose pages differ most: another department's staff, the department's
    # manager, supervision.
    for role in ("staff_other", "manager", "supervisor"):
        client.force_login(users[role])
        for name, build in PAGES:
            try:
                url = reverse(name, kwargs=build(objects) if build else None)
            except Exception:  # noqa: BLE001 - a deleted object's page is not part of this state
                continue
            response = client.get(url)
            if response.status_code >= 500:
                broken.append((role, name, response.status_code))
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
    assert not broken, broken
