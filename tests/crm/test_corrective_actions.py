"""Corrective actions, the kernel's one concept (crm.CorrectiveAction): the service rules,
the scheduled effects (each once), the pages by role, and the scorecards' re-evaluation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm import option_lists, services
from crm.concurrency import StaleEdit
from crm.models import CorrectiveAction, Notification, OutboundEmail
from crm.scheduler import scan_run
from crm.selectors import actions_for_source, corrective_actions_visible_to, may_respond, may_verify
from tests.factories import PartnerFactory, UserFactory, department

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 30)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


@pytest.fixture
def raise_action(supplier, manager):
    def make(*, owner, description="Fix the packaging line", due_on=DUE, dept=None, by=manager, source=None):
        return services.corrective_action_raise(
            source=source or supplier,
            description=description,
            department=dept or supplier.department,
            owner=owner,
            due_on=due_on,
            by=by,
        )

    return make


def respond(action, user, text="Done: report attached", **kwargs):
    return services.corrective_action_respond(action=action, by=user, response=text, **kwargs)


# --- Service rules -------------------------------------------------------------------------


def test_raise_records_source_department_and_tells_the_owner(raise_action, supplier, staff, manager):
    action = raise_action(owner=staff)
    assert action.state == CorrectiveAction.State.OPEN
    assert action.source == supplier and action.department == supplier.department and action.raised_by == manager
    assert list(actions_for_source(supplier)) == [action]
    note = Notification.objects.get(recipient=staff, kind="corrective_action_raised")
    assert "Fix the packaging line" in note.title and note.link == action.get_absolute_url()
    assert action.history.get().history_user_id == manager.pk


def test_raise_needs_a_description_an_owner_and_a_due_date(supplier, staff, manager):
    with pytest.raises(ValidationError) as exc:
        services.corrective_action_raise(
            source=supplier, description=" ", department=supplier.department, owner=staff, due_on=None, by=manager
        )
    assert "Describe the corrective action." in exc.value.messages
    assert "Give the corrective action a due date." in exc.value.messages
    assert not CorrectiveAction.objects.exists()


@pytest.mark.parametrize("who", ["staff_sales", "manager_sales", "supervisor"])
def test_only_the_owner_or_a_department_manager_responds(request, raise_action, staff, who):
    action = raise_action(owner=staff)
    user = request.getfixturevalue(who)
    assert not may_respond(user, action)
    with pytest.raises(PermissionDenied):
        respond(action, user)
    assert CorrectiveAction.objects.get().state == "open"


def test_owner_and_department_manager_respond(raise_action, staff, manager):
    action = raise_action(owner=staff)
    respond(action, manager, "Done by the manager")
    action.refresh_from_db()
    assert action.state == "responded" and action.responded_by == manager and action.response == "Done by the manager"
    other = raise_action(owner=staff, description="Second")
    respond(other, staff)
    assert CorrectiveAction.objects.get(pk=other.pk).responded_by == staff


def test_response_needs_text(raise_action, staff):
    action = raise_action(owner=staff)
    with pytest.raises(ValidationError, match="Describe what was done"):
        respond(action, staff, "  ")


@pytest.mark.parametrize("who", ["staff", "manager", "staff_sales"])
def test_only_supervision_verifies(request, raise_action, staff, who):
    action = raise_action(owner=staff)
    respond(action, staff)
    with pytest.raises(PermissionDenied):
        services.corrective_action_verify(action=action, by=request.getfixturevalue(who), accepted=True)
    assert CorrectiveAction.objects.get().state == "responded"


def test_nobody_verifies_their_own_action(raise_action, supervisor, staff):
    owned = raise_action(owner=supervisor, description="Supervision's own action")
    respond(owned, supervisor)
    assert not may_verify(supervisor, owned)
    with pytest.raises(ValidationError, match="You cannot verify your own action"):
        services.corrective_action_verify(action=owned, by=supervisor, accepted=True)
    # Nor one they answered (a superuser manages every department, and is supervision too).
    admin = UserFactory(username="root", dept=None)
    admin.is_superuser = True
    admin.save()
    answered = raise_action(owner=staff)
    respond(answered, admin)
    with pytest.raises(ValidationError, match="You cannot verify your own action"):
        services.corrective_action_verify(action=answered, by=admin, accepted=True)
    assert set(CorrectiveAction.objects.values_list("state", flat=True)) == {"responded"}


def test_verification_accepts_or_sends_back_with_a_note(raise_action, staff, supervisor):
    action = raise_action(owner=staff)
    respond(action, staff)
    with pytest.raises(ValidationError, match="Say why"):
        services.corrective_action_verify(action=action, by=supervisor, accepted=False, note="")
    services.corrective_action_verify(action=action, by=supervisor, accepted=False, note="No evidence attached")
    action.refresh_from_db()
    assert action.state == "open" and action.verification_note == "No evidence attached"
    refused = Notification.objects.get(recipient=staff, kind="corrective_action_refused")
    assert refused.link == action.get_absolute_url()
    assert OutboundEmail.objects.filter(recipient=staff, kind="corrective_action_refused").count() == 1
    respond(action, staff, "Report attached now")
    services.corrective_action_verify(action=action, by=supervisor, accepted=True, note="Checked")
    action.refresh_from_db()
    assert action.state == "verified" and action.verified_by == supervisor
    assert [h.state for h in action.history.order_by("history_date", "history_id")] == [
        "open",
        "responded",
        "open",
        "responded",
        "verified",
    ]


def test_a_verified_action_is_frozen(raise_action, staff, manager, supervisor):
    action = raise_action(owner=staff)
    respond(action, staff)
    services.corrective_action_verify(action=action, by=supervisor, accepted=True)
    with pytest.raises(PermissionDenied):
        respond(action, staff)
    with pytest.raises(PermissionDenied):
        services.corrective_action_cancel(action=action, by=manager, reason="no longer needed")
    with pytest.raises(ValidationError, match="awaiting verification"):
        services.corrective_action_verify(action=action, by=supervisor, accepted=False, note="again")
    assert CorrectiveAction.objects.get().state == "verified"


def test_cancel_by_department_manager_with_a_reason(raise_action, staff, manager, manager_sales):
    action = raise_action(owner=staff)
    with pytest.raises(PermissionDenied):
        services.corrective_action_cancel(action=action, by=staff, reason="x")
    with pytest.raises(PermissionDenied):
        services.corrective_action_cancel(action=action, by=manager_sales, reason="x")
    with pytest.raises(ValidationError, match="Give a reason"):
        services.corrective_action_cancel(action=action, by=manager, reason="")
    services.corrective_action_cancel(action=action, by=manager, reason="Supplier replaced")
    assert CorrectiveAction.objects.get().state == "cancelled"


def test_a_stale_response_is_refused(raise_action, staff, manager):
    action = raise_action(owner=staff)
    version = action.updated_at.isoformat()
    respond(action, manager, "First", version=version)
    with pytest.raises(StaleEdit):
        respond(action, staff, "Second", version=version)
    assert CorrectiveAction.objects.get().response == "First"


# --- Scheduled effects -----------------------------------------------------------------------


def _kinds(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user)
        .exclude(kind="corrective_action_raised")
        .values_list("kind", flat=True)
    )


def test_reminder_overdue_and_escalation_each_once(settings, raise_action, staff, manager):
    settings.RAPPORT_ACTION_REMIND_DAYS = 7
    settings.RAPPORT_ACTION_ESCALATE_DAYS = 5
    action = raise_action(owner=staff)
    scan_run("corrective_actions", now=at(DUE - dt.timedelta(days=8)))
    assert _kinds(staff) == []
    for _twice in range(2):
        scan_run("corrective_actions", now=at(DUE - dt.timedelta(days=7)))
    assert _kinds(staff) == ["corrective_action_due_soon"]
    for day in (DUE, DUE + dt.timedelta(days=1), DUE + dt.timedelta(days=1), DUE + dt.timedelta(days=5)):
        scan_run("corrective_actions", now=at(day))
    assert _kinds(staff) == ["corrective_action_due_soon", "corrective_action_overdue"]
    assert _kinds(manager) == []
    for _twice in range(2):
        scan_run("corrective_actions", now=at(DUE + dt.timedelta(days=6)))
    assert _kinds(manager) == ["corrective_action_escalated"]
    assert _kinds(staff) == ["corrective_action_due_soon", "corrective_action_overdue"]
    # Each notice also went out by e-mail, once.
    assert sorted(
        OutboundEmail.objects.filter(object_ref=f"crm.correctiveaction:{action.pk}").values_list("kind", flat=True)
    ) == [
        "corrective_action_due_soon",
        "corrective_action_escalated",
        "corrective_action_overdue",
    ]


def test_a_missed_day_is_caught_up_without_a_stale_reminder(settings, raise_action, staff, manager):
    settings.RAPPORT_ACTION_ESCALATE_DAYS = 5
    raise_action(owner=staff)
    # The worker was down from before the reminder window until well past the escalation day.
    scan_run("corrective_actions", now=at(DUE + dt.timedelta(days=20)))
    assert _kinds(staff) == ["corrective_action_overdue"]
    assert _kinds(manager) == ["corrective_action_escalated"]


def test_answered_verified_or_cancelled_actions_get_no_reminders(raise_action, staff, manager, supervisor):
    responded = raise_action(owner=staff, description="Answered")
    respond(responded, staff)
    cancelled = raise_action(owner=staff, description="Cancelled")
    services.corrective_action_cancel(action=cancelled, by=manager, reason="Not needed")
    scan_run("corrective_actions", now=at(DUE + dt.timedelta(days=30)))
    assert _kinds(staff) == [] and _kinds(manager) == []


def test_notices_are_in_the_recipients_language(raise_action, staff, manager):
    profile = manager.profile
    profile.language = "zh-hans"
    profile.save()
    raise_action(owner=staff, description="Fix it")
    scan_run("corrective_actions", now=at(DUE + dt.timedelta(days=30)))
    escalated = Notification.objects.get(recipient=manager, kind="corrective_action_escalated")
    assert "整改措施" in escalated.title
    email = OutboundEmail.objects.get(recipient=manager, kind="corrective_action_escalated")
    assert email.language == "zh-hans" and "整改措施" in email.subject


# --- Pages -------------------------------------------------------------------------------------


def test_each_role_sees_its_rows(client, raise_action, staff, staff_sales, manager, manager_sales, supervisor):
    mine = raise_action(owner=staff, description="Procurement action")
    sales_customer = PartnerFactory(
        name="Sales Co", family="customer", owner=staff_sales, department=department("sales")
    )
    theirs = raise_action(
        owner=staff_sales,
        description="Sales action",
        dept=sales_customer.department,
        by=manager_sales,
        source=sales_customer,
    )
    assert set(corrective_actions_visible_to(staff)) == {mine}
    assert set(corrective_actions_visible_to(manager_sales)) == {theirs}
    assert set(corrective_actions_visible_to(supervisor)) == {mine, theirs}
    for user, seen, unseen in (
        (staff, "Procurement action", "Sales action"),
        (manager_sales, "Sales action", "Procurement action"),
    ):
        client.force_login(user)
        page = client.get(reverse("corrective_actions")).content.decode()
        assert seen in page and unseen not in page
        assert (
            client.get(reverse("corrective_action_detail", args=[theirs.pk if user == staff else mine.pk])).status_code
            == 404
        )
    client.force_login(supervisor)
    page = client.get(reverse("corrective_actions")).content.decode()
    assert "Procurement action" in page and "Sales action" in page


def test_list_filters_by_state_overdue_department_and_source(client, raise_action, staff, supervisor):
    late = raise_action(owner=staff, description="Late one", due_on=timezone.localdate() - dt.timedelta(days=3))
    raise_action(owner=staff, description="Future one", due_on=timezone.localdate() + dt.timedelta(days=30))
    answered = raise_action(
        owner=staff, description="Answered one", due_on=timezone.localdate() + dt.timedelta(days=30)
    )
    respond(answered, staff)
    client.force_login(supervisor)
    page = client.get(reverse("corrective_actions"), {"state": "overdue"}).content.decode()
    assert "Late one" in page and "Future one" not in page and "Answered one" not in page
    assert 'data-overdue="1"' in page
    page = client.get(reverse("corrective_actions"), {"state": "responded"}).content.decode()
    assert "Answered one" in page and "Late one" not in page
    page = client.get(
        reverse("corrective_actions"), {"state": "", "source": late.source_type_id, "department": late.department_id}
    ).content.decode()
    assert "Late one" in page and "Future one" in page
    page = client.get(reverse("corrective_actions"), {"state": "", "q": "future"}).content.decode()
    assert "Future one" in page and "Late one" not in page


def test_list_has_a_fixed_number_of_queries(client, raise_action, staff, supervisor, django_assert_max_num_queries):
    for i in range(3):
        raise_action(owner=staff, description=f"Action {i}")
    client.force_login(supervisor)
    url = reverse("corrective_actions")
    client.get(url)
    option_lists.forget()  # both counts with the kept option lists read afresh
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for i in range(3, 30):
        raise_action(
            owner=UserFactory(username=f"owner{i}", role="Staff", dept="procurement"), description=f"Action {i}"
        )
    option_lists.forget()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"sort": "-due"}).status_code == 200


def test_owner_responds_with_evidence_and_supervision_verifies_through_the_pages(
    client, raise_action, staff, supervisor
):
    action = raise_action(owner=staff)
    client.force_login(staff)
    detail = reverse("corrective_action_detail", args=[action.pk])
    page = client.get(detail).content.decode()
    assert 'id="response-form"' in page and 'id="verify-form"' not in page
    bad = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(
        reverse("corrective_action_respond", args=[action.pk]),
        {"r-response": "Done", "r-evidence": bad, "r-version": action.updated_at.isoformat()},
    )
    assert "does not match its extension" in response.content.decode()
    assert CorrectiveAction.objects.get().state == "open"
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = client.post(
        reverse("corrective_action_respond", args=[action.pk]),
        {"r-response": "Done, report attached", "r-evidence": pdf, "r-version": action.updated_at.isoformat()},
        follow=True,
    )
    assert "the supervision group will verify it" in response.content.decode()
    action.refresh_from_db()
    assert action.state == "responded" and action.evidence.name.startswith("corrective_actions/")
    download = client.get(reverse("corrective_action_evidence", args=[action.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    client.force_login(supervisor)
    page = client.get(detail).content.decode()
    assert 'id="verify-form"' in page and 'id="response-form"' not in page
    response = client.post(
        reverse("corrective_action_verify", args=[action.pk]),
        {"v-outcome": "refuse", "v-note": "", "v-version": action.updated_at.isoformat()},
    )
    assert "Say why the response is not accepted." in response.content.decode()
    client.post(
        reverse("corrective_action_verify", args=[action.pk]),
        {"v-outcome": "accept", "v-note": "Effective", "v-version": action.updated_at.isoformat()},
    )
    assert CorrectiveAction.objects.get().state == "verified"


def test_the_page_says_why_a_supervisor_cannot_verify_their_own_action(client, raise_action, supervisor):
    action = raise_action(owner=supervisor)
    respond(action, supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("corrective_action_detail", args=[action.pk])).content.decode()
    assert 'id="verify-form"' not in page and "You cannot verify your own action" in page


def test_a_stale_verification_form_is_refused_and_says_what_changed(client, raise_action, staff, manager, supervisor):
    action = raise_action(owner=staff)
    respond(action, staff)
    stale = CorrectiveAction.objects.get().updated_at.isoformat()
    services.corrective_action_verify(action=action, by=supervisor, accepted=False, note="More please")
    respond(action, staff, "More attached")
    other = UserFactory(username="supervisor2", role="Supervision", dept="general-office")
    client.force_login(other)
    response = client.post(
        reverse("corrective_action_verify", args=[action.pk]), {"v-outcome": "accept", "v-version": stale}
    )
    assert "Someone else changed this record" in response.content.decode()
    assert CorrectiveAction.objects.get().state == "responded"
