"""A public case is never silent (issue 12 §2): the intake rule routes it and notifies its
people, the requester gets an acknowledgement, and the first reply starts the work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification, OutboundEmail
from crm.notifications import email_send
from partners.cases import services
from partners.cases.admin import CaseIntakeRuleForm
from partners.cases.models import Case, CaseIntakeRule, CaseNote, CaseStatus
from tests.factories import UserFactory, department

pytestmark = pytest.mark.django_db

URL = "/feedback/"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def form(**overrides) -> dict[str, str]:
    data = {
        "family": "customer",
        "kind": "complaint",
        "name": "Wang Fang",
        "email": "wang@bluesky.example",
        "company": "Blue Sky Trading",
        "subject": "Invoice sent twice",
        "description": "We were billed twice for order 1001.",
        "website": "",
    }
    return {**data, **overrides}


def submit(**overrides) -> Case:
    fields = {
        "family": "customer",
        "kind": "complaint",
        "name": "Li",
        "email": "li@nowhere.example",
        "company": "Nowhere",
        "subject": "Rude driver",
        "description": "…",
        "language": "en",
        "now": T0,
        **overrides,
    }
    return services.feedback_submit(**fields)


def notified(case: Case) -> set[str]:
    return set(
        Notification.objects.filter(kind="case_intake", object_ref=f"cases.case:{case.pk}").values_list(
            "recipient__username", flat=True
        )
    )


# --- Acknowledgement ----------------------------------------------------------------------


def test_a_chinese_form_is_acknowledged_in_chinese_with_the_reference_and_the_target(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}?lang=zh-hans", form())
    assert response.status_code == 302
    case = Case.objects.get()
    email = OutboundEmail.objects.get(kind="case_received")
    assert (email.to_address, email.language, email.recipient) == ("wang@bluesky.example", "zh-hans", None)
    assert case.reference in email.subject and "我们已收到" in email.subject
    assert case.reference in email.body_text and "您好" in email.body_text
    # What happens next: the first-response target, from the case's deadline.
    assert f"{timezone.localtime(case.response_due_at):%Y-%m-%d %H:%M}" in email.body_text
    # Queued after the commit and sent: the message left once.
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT
    assert [m.to for m in mail.outbox] == [["wang@bluesky.example"]]


def test_the_acknowledgement_is_stored_and_sent_once_however_often_it_runs(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit()
        assert services.case_acknowledge(case=case) is None  # the same email again: nothing
    email = OutboundEmail.objects.get(kind="case_received")
    assert email_send(email_id=email.pk) is False  # already sent after the commit
    assert OutboundEmail.objects.filter(kind="case_received").count() == 1
    assert len(mail.outbox) == 1 and "by" in email.body_text


# --- Intake rule --------------------------------------------------------------------------


def test_a_fresh_install_routes_public_cases_to_customer_service_managers(manager, manager_sales):
    cs_manager = UserFactory(username="cs-manager", role="Manager", dept="customer-service")
    case = submit()
    case.refresh_from_db()
    assert case.department.code == "customer-service" and case.status == CaseStatus.NEW
    assert notified(case) == {cs_manager.username}
    notification = Notification.objects.get(kind="case_intake")
    assert case.reference in notification.title
    assert notification.link == reverse("cases:case_detail", args=[case.pk])


def test_the_matching_rule_routes_the_case_and_notifies_its_people_on_duty(manager):
    on_duty = UserFactory(username="duty", role="Staff", dept="procurement")
    rule = CaseIntakeRule.objects.create(
        family="supplier", kind="complaint", department=department("procurement"), notify="on_duty"
    )
    rule.on_duty.set([on_duty])
    CaseIntakeRule.objects.create(family="supplier", department=department("quality"))
    case = submit(family="supplier")
    assert case.department.code == "procurement"
    assert notified(case) == {"duty"}
    # Once per case: routing it again notifies nobody twice.
    assert services.case_intake(case=case) == 0
    assert Notification.objects.filter(kind="case_intake").count() == 1


def test_a_case_no_specific_rule_matches_goes_to_the_default(manager):
    cs_manager = UserFactory(username="cs-manager", role="Manager", dept="customer-service")
    CaseIntakeRule.objects.create(family="supplier", kind="complaint", department=department("procurement"))
    case = submit(family="customer", kind="suggestion")
    assert case.department.code == "customer-service"
    assert notified(case) == {cs_manager.username}


def test_without_any_rule_or_managers_there_every_manager_is_told(manager, manager_sales):
    CaseIntakeRule.objects.all().delete()
    case = submit()
    assert case.department_id is None
    assert notified(case) == {"manager", "manager2"}


def test_the_admin_refuses_an_on_duty_rule_with_nobody_on_duty():
    data = {"family": "", "kind": "issue", "department": department("sales").pk, "notify": "on_duty", "on_duty": []}
    form = CaseIntakeRuleForm(data)
    assert not form.is_valid()
    assert "Choose at least one active person on duty." in form.errors["on_duty"]
    person = UserFactory(username="duty", role="Staff", dept="sales")
    assert CaseIntakeRuleForm({**data, "on_duty": [person.pk]}).is_valid()


def test_the_admin_saves_a_rule(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:cases_caseintakerule_add"),
        {"family": "supplier", "kind": "", "department": department("quality").pk, "notify": "managers"},
    )
    assert response.status_code == 302
    assert CaseIntakeRule.objects.filter(family="supplier", kind="", department__code="quality").exists()


# --- First reply --------------------------------------------------------------------------


def test_the_first_reply_is_the_first_response_and_starts_work_on_a_new_case():
    staff = UserFactory(username="cs", role="Staff", dept="customer-service")
    case = submit()
    services.case_note_add(case=case, user=staff, kind="note", body="Looking", now=T0 + dt.timedelta(hours=1))
    case.refresh_from_db()
    assert (case.status, case.first_response_at) == (CaseStatus.NEW, None)  # a note is not a response
    services.case_note_add(case=case, user=staff, kind="reply", body="We are on it.", now=T0 + dt.timedelta(hours=2))
    case.refresh_from_db()
    assert (case.status, case.first_response_at) == (CaseStatus.IN_PROGRESS, T0 + dt.timedelta(hours=2))
    event = case.notes.filter(kind=CaseNote.Kind.EVENT, status_to=CaseStatus.IN_PROGRESS).get()
    assert (event.status_from, event.author) == (CaseStatus.NEW, staff)
    # A later reply changes neither.
    services.case_note_add(case=case, user=staff, kind="reply", body="Done soon.", now=T0 + dt.timedelta(hours=3))
    case.refresh_from_db()
    assert case.first_response_at == T0 + dt.timedelta(hours=2)
    assert case.notes.filter(kind=CaseNote.Kind.EVENT, status_to=CaseStatus.IN_PROGRESS).count() == 1


def test_a_reply_on_a_waiting_case_leaves_its_status():
    staff = UserFactory(username="cs", role="Staff", dept="customer-service")
    case = submit()
    services.case_transition(case=case, user=staff, to_status=CaseStatus.WAITING, now=T0 + dt.timedelta(hours=1))
    services.case_note_add(case=case, user=staff, kind="reply", body="Any news?", now=T0 + dt.timedelta(hours=2))
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING


def test_the_reply_form_moves_the_case_to_in_progress(client):
    staff = UserFactory(username="cs", role="Staff", dept="customer-service")
    case = submit()
    client.force_login(staff)
    response = client.post(reverse("cases:case_note", args=[case.pk]), {"kind": "reply", "body": "We are on it."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.first_response_at is not None
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "In progress" in page


def test_the_intake_people_get_an_email_at_once_in_their_language(django_capture_on_commit_callbacks):
    """In the app is not enough: the first-response clock runs while nobody looks (issue 12
    §2). Each person the rule names gets one e-mail now, digest setting or not."""
    cs_manager = UserFactory(username="cs-manager", role="Manager", dept="customer-service", email="cs@example.com")
    cs_manager.profile.language = "zh-hans"
    cs_manager.profile.notification_mode = "daily"
    cs_manager.profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = submit()
    alerts = [m for m in mail.outbox if m.to == ["cs@example.com"]]
    assert len(alerts) == 1
    assert alerts[0].subject == f"公开表单新工单 {case.reference}：Rude driver"
    assert f"/cases/{case.pk}/" in alerts[0].body and "客户服务部" in alerts[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.case_intake(case=case)
    assert OutboundEmail.objects.filter(kind="case_intake").count() == 1
