"""Service cases: deadlines, workflow, escalation, attainment, pages (P4.1.2, P4.2.2, P4.2.3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification, OutboundEmail
from crm.scheduler import scan_run
from partners.cases import selectors, services, sla
from partners.cases.models import Case, CaseIntakeRule, CaseNote, CaseStatus, Priority, SlaTarget
from tests.edit_forms import post_edit
from tests.factories import ContactFactory, PartnerFactory, department

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, a Monday


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


@pytest.fixture
def case(supplier, staff) -> Case:
    return services.case_open(
        partner=supplier,
        kind="issue",
        channel="phone",
        priority=Priority.HIGH,
        subject="Wrong parts delivered",
        description="Batch 42 contains the wrong parts.",
        created_by=staff,
        now=T0,
    )


# --- Deadlines ---------------------------------------------------------------------------


def test_deadlines_follow_the_family_and_priority_targets(case):
    # Default supplier × high: first response within 4 h, resolution within 24 h.
    assert case.response_due_at == T0 + hours(4)
    assert case.resolution_due_at == T0 + hours(24)
    assert case.reference == f"CS-2026-{case.pk:05d}"
    assert case.assignee.username == "staff"  # the partner's owner


def test_targets_are_configurable(supplier):
    SlaTarget.objects.filter(family="customer", priority=Priority.URGENT).update(response_hours=2, resolution_hours=6)
    customer = PartnerFactory(family="customer", owner=supplier.owner)
    case = services.case_open(
        partner=customer,
        kind="complaint",
        channel="email",
        priority=Priority.URGENT,
        subject="s",
        description="d",
        now=T0,
    )
    assert (case.response_due_at, case.resolution_due_at) == (T0 + hours(2), T0 + hours(6))


def test_a_deleted_target_falls_back_to_the_defaults(supplier):
    SlaTarget.objects.all().delete()
    case = services.case_open(partner=supplier, kind="request", channel="email", subject="s", description="d", now=T0)
    assert (case.response_due_at, case.resolution_due_at) == (T0 + hours(8), T0 + hours(72))


def test_changing_the_priority_recomputes_the_deadlines(case, staff):
    services.case_update(case=case, user=staff, priority=Priority.URGENT, now=T0 + hours(1))
    case.refresh_from_db()
    assert (case.response_due_at, case.resolution_due_at) == (T0 + hours(1), T0 + hours(8))
    assert case.notes.filter(kind=CaseNote.Kind.EDITED, changed_fields=["priority"], body="").exists()


def test_a_contact_of_another_partner_is_refused(supplier):
    other = ContactFactory()
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            partner=supplier, contact=other, kind="issue", channel="phone", subject="s", description="d", now=T0
        )
    assert "contact" in exc.value.message_dict
    assert not Case.objects.exists()


# --- Workflow --------------------------------------------------------------------------------


def test_workflow_with_a_pause_waiting_on_the_partner(case, staff):
    services.case_transition(case=case, user=staff, to_status=CaseStatus.IN_PROGRESS, now=T0 + hours(1))
    case.refresh_from_db()
    assert case.first_response_at == T0 + hours(1)
    services.case_transition(case=case, user=staff, to_status=CaseStatus.WAITING, now=T0 + hours(2))
    # 30 hours waiting: past the original deadline, but the clock is stopped.
    now = T0 + hours(32)
    case.refresh_from_db()
    assert services.sla.resolution_clock(case, now=now).state == "paused"
    assert services.case_escalate(case_id=case.pk, which="resolution", now=now) == 0
    services.case_transition(case=case, user=staff, to_status=CaseStatus.IN_PROGRESS, now=now)
    case.refresh_from_db()
    assert case.paused_at is None
    assert case.paused_seconds == 30 * 3600
    assert case.resolution_due_at == T0 + hours(24 + 30)
    services.case_transition(
        case=case, user=staff, to_status=CaseStatus.RESOLVED, resolution="Replaced the batch.", now=T0 + hours(40)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert services.sla.met(case.resolution_due_at, case.resolved_at) is True
    events = list(case.notes.filter(kind=CaseNote.Kind.EVENT).values_list("status_from", "status_to"))
    assert events == [
        ("", "new"),
        ("new", "in_progress"),
        ("in_progress", "waiting"),
        ("waiting", "in_progress"),
        ("in_progress", "resolved"),
    ]


def test_resolving_needs_a_resolution_and_bad_moves_are_refused(case, staff):
    with pytest.raises(ValidationError) as exc:
        services.case_transition(case=case, user=staff, to_status=CaseStatus.RESOLVED, resolution="  ")
    assert "resolution" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.case_transition(case=case, user=staff, to_status=CaseStatus.CLOSED)
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.first_response_at is None


def test_reopen_clears_the_resolution_time(case, staff):
    services.case_transition(case=case, user=staff, to_status=CaseStatus.RESOLVED, resolution="ok", now=T0 + hours(1))
    services.case_transition(case=case, user=staff, to_status=CaseStatus.CLOSED, now=T0 + hours(2))
    case.refresh_from_db()
    assert (case.resolved_at, case.closed_at) == (T0 + hours(1), T0 + hours(2))  # closing keeps the resolution
    services.case_transition(case=case, user=staff, to_status=CaseStatus.IN_PROGRESS, now=T0 + hours(3))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.resolved_at is None and case.closed_at is None


def test_a_reply_is_the_first_response_and_is_emailed_escaped(case, staff):
    contact = ContactFactory(partner=case.partner, email="buyer@acme.example")
    services.case_update(case=case, user=staff, contact=contact)
    services.case_note_add(
        case=case, user=staff, kind="reply", body="We ship <b>new</b> parts today & refund.", now=T0 + hours(3)
    )
    case.refresh_from_db()
    assert case.first_response_at == T0 + hours(3)
    email = OutboundEmail.objects.get(kind="case_reply")
    assert email.to_address == "buyer@acme.example"
    assert case.reference in email.subject
    assert "&lt;b&gt;new&lt;/b&gt;" in email.body_html and "<b>new" not in email.body_html
    assert "<b>new</b> parts today & refund." in email.body_text


def test_an_internal_note_emails_nobody(case, staff):
    services.case_note_add(case=case, user=staff, kind="note", body="Called the warehouse.")
    assert not OutboundEmail.objects.filter(kind="case_reply").exists()
    case.refresh_from_db()
    assert case.first_response_at is None


# --- Escalation --------------------------------------------------------------------------------


def test_breaches_escalate_to_the_departments_managers_once(case, manager, manager_sales, staff):
    assert scan_run("cases_sla", now=T0 + hours(3)).effects == 0
    run = scan_run("cases_sla", now=T0 + hours(5))  # response due at +4 h
    assert run.effects == 1
    breach = Notification.objects.filter(kind="case_breach", period__startswith="resp-")
    assert sorted(breach.values_list("recipient__username", flat=True)) == ["manager", "staff"]
    assert OutboundEmail.objects.filter(kind="case_breach", to_address=manager.email).count() == 1
    # The same scan again, and a duplicate task: nothing new.
    assert scan_run("cases_sla", now=T0 + hours(6)).effects == 0
    assert services.case_escalate(case_id=case.pk, which="response", now=T0 + hours(6)) == 0
    assert breach.count() == 2
    # Resolution deadline (+24 h) missed too.
    scan_run("cases_sla", now=T0 + hours(25))
    assert Notification.objects.filter(kind="case_breach", period__startswith="reso-").count() == 2
    assert case.notes.filter(kind=CaseNote.Kind.ESCALATION).count() == 2


def test_a_case_answered_in_time_does_not_escalate_its_response(case, staff, manager):
    services.case_transition(case=case, user=staff, to_status=CaseStatus.IN_PROGRESS, now=T0 + hours(1))
    assert scan_run("cases_sla", now=T0 + hours(5)).effects == 0
    assert not Notification.objects.filter(kind="case_breach").exists()


def test_a_case_without_department_escalates_to_every_manager(manager, manager_sales):
    CaseIntakeRule.objects.all().delete()  # an admin removed every intake rule
    case = services.feedback_submit(
        family="customer",
        kind="complaint",
        name="Li",
        email="li@nowhere.example",
        company="Nowhere",
        subject="Rude driver",
        description="…",
        language="en",
        now=T0,
    )
    assert case.department_id is None and case.assignee_id is None
    scan_run("cases_sla", now=T0 + hours(9))
    assert set(Notification.objects.filter(kind="case_breach").values_list("recipient__username", flat=True)) == {
        "manager",
        "manager2",
    }


# --- "Breached": one definition, one boundary --------------------------------------------------

SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize(("offset", "breached"), [(-SECOND, False), (dt.timedelta(0), False), (SECOND, True)])
def test_breached_at_the_deadline_instant_agrees_everywhere(case, client, staff, monkeypatch, offset, breached):
    """At the deadline instant a case is not breached yet (done then would be on time); one
    second later the pure rule, the queryset, the scan, the list filter, its badges, the
    dashboard counter and the SLA report all say it is."""
    now = case.response_due_at + offset  # the response deadline comes first (+4 h)
    assert sla.case_deadline_breached(case, "response", now=now) is breached
    assert sla.case_breached(case, now=now) is breached
    assert not sla.case_deadline_breached(case, "resolution", now=now)
    assert Case.objects.filter(selectors.case_deadline_breached_q("response", now)).exists() is breached
    assert Case.objects.filter(selectors.case_breached_q(now)).exists() is breached
    assert selectors.sla_attainment(cases=Case.objects.filter(opened_at__gte=T0), now=now)["month"][
        0
    ].response_missed == int(breached)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert selectors.case_counts_for_user(user=staff) == {"open": 1, "breached": int(breached)}
    client.force_login(staff)
    listed = client.get(reverse("cases:case_list"), {"state": "breached"}).content.decode()
    assert (case.reference in listed) is breached
    badges = client.get(reverse("cases:case_list"), {"state": "open"}).content.decode()
    assert ('data-sla="breached"' in badges) is breached
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert ("past a deadline" in dashboard) is breached
    assert scan_run("cases_sla", now=now).effects == int(breached)


@pytest.mark.parametrize(("paused_after", "breached"), [(dt.timedelta(0), False), (SECOND, True)])
def test_a_case_paused_at_its_deadline_is_not_breached_one_paused_after_it_is(case, staff, paused_after, breached):
    services.case_transition(case=case, user=staff, to_status=CaseStatus.IN_PROGRESS, now=T0 + hours(1))
    paused_at = case.resolution_due_at + paused_after
    services.case_transition(case=case, user=staff, to_status=CaseStatus.WAITING, now=paused_at)
    case.refresh_from_db()
    later = paused_at + hours(48)  # the clock stands still while the case waits on the partner
    assert sla.case_breached(case, now=later) is breached
    assert sla.resolution_clock(case, now=later).state == ("breached" if breached else "paused")
    assert Case.objects.filter(selectors.case_breached_q(later)).exists() is breached
    assert scan_run("cases_sla", now=later).effects == int(breached)


# --- Attainment ---------------------------------------------------------------------------------


def since_2026():
    return Case.objects.filter(opened_at__gte=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_sla_attainment_counts_met_missed_and_pending(supplier, staff, sales_customer, staff_sales):
    def make(partner, user, opened, respond=None, resolve=None):
        c = services.case_open(partner=partner, kind="issue", channel="phone", subject="s", description="d", now=opened)
        if respond is not None:
            services.case_transition(case=c, user=user, to_status="in_progress", now=opened + hours(respond))
        if resolve is not None:
            services.case_transition(
                case=c, user=user, to_status="resolved", resolution="r", now=opened + hours(resolve)
            )
        return c

    oct1 = dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC)
    make(supplier, staff, oct1, respond=1, resolve=10)  # both met
    make(supplier, staff, oct1, respond=9, resolve=80)  # both missed (normal: 8 h / 72 h)
    make(sales_customer, staff_sales, T0, respond=2)  # response met, resolution pending
    make(sales_customer, staff_sales, T0)  # both pending at T0 + 1 h
    report = selectors.sla_attainment(
        cases=Case.objects.filter(opened_at__gte=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), now=T0 + hours(1)
    )
    by_family = {str(r.label): r for r in report["family"]}
    suppliers, customers = by_family["Suppliers"], by_family["Customers"]
    assert (suppliers.n, suppliers.response_met, suppliers.response_missed) == (2, 1, 1)
    assert (suppliers.resolution_met, suppliers.resolution_missed, str(suppliers.resolution_pct)) == (1, 1, "50.0")
    assert (customers.n, customers.response_met, customers.response_missed, customers.resolution_pct) == (2, 1, 0, None)
    months = {r.label.date().isoformat()[:7]: r.n for r in report["month"]}
    assert months == {"2026-10": 2, "2026-11": 2}
    departments = {r.label: r.response_met for r in report["department"]}
    assert departments == {"Procurement": 1, "Sales": 1}
    # Later, the open customer cases have missed their response deadline.
    later = selectors.sla_attainment(
        cases=Case.objects.filter(opened_at__gte=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), now=T0 + hours(100)
    )
    customers = {str(r.label): r for r in later["family"]}["Customers"]
    assert (customers.response_missed, customers.resolution_missed) == (1, 2)


# --- Pages ----------------------------------------------------------------------------------------


def test_who_may_open_a_case_is_decided_once(supplier, staff_sales, supervisor):
    """Staff of any department open a case for a partner; supervision reads only (P5.1)."""
    assert selectors.may_open_case(staff_sales) and not selectors.may_open_case(supervisor)
    fields = {"kind": "issue", "channel": "phone", "subject": "s", "description": "d", "now": T0}
    with pytest.raises(PermissionDenied):
        services.case_open(partner=supplier, created_by=supervisor, **fields)
    case = services.case_open(partner=supplier, created_by=staff_sales, **fields)
    assert case.created_by == staff_sales and case.department == supplier.department


def test_new_case_button_follows_who_may_open_a_case(client, supplier, staff_sales, supervisor):
    new_case = reverse("cases:case_create") + f"?partner={supplier.pk}"
    cases = reverse("cases:case_list") + f"?partner={supplier.pk}"
    post = {"kind": "complaint", "channel": "phone", "priority": "3", "subject": "Late", "description": "Late."}
    client.force_login(staff_sales)  # not the supplier's department
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert new_case in page and cases in page
    assert client.post(new_case, post).status_code == 302
    assert Case.objects.get().created_by == staff_sales
    client.force_login(supervisor)
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert new_case not in page and cases in page
    assert client.post(new_case, post).status_code == 403
    assert Case.objects.count() == 1


def test_staff_opens_a_case_from_the_partner(client, staff, supplier):
    client.force_login(staff)
    url = reverse("cases:case_create") + f"?partner={supplier.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "complaint",
            "channel": "phone",
            "priority": "3",
            "subject": "  Late   delivery ",
            "description": "Two weeks.",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.subject == "Late delivery" and case.created_by == staff and case.partner == supplier
    page = client.get(response["Location"])
    assert case.reference in page.content.decode()
    assert 'data-sla="running"' in page.content.decode()


def test_bad_input_keeps_the_form_and_saves_nothing(client, staff, supplier):
    client.force_login(staff)
    url = reverse("cases:case_create") + f"?partner={supplier.pk}"
    response = client.post(
        url,
        {"kind": "nonsense", "channel": "phone", "priority": "9", "subject": "", "description": "a\x02b"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required." in body and "Remove the control characters" in body
    assert not Case.objects.exists()


def test_the_picker_finds_partners(client, staff, supplier):
    client.force_login(staff)
    response = client.get(reverse("cases:case_create"), {"q": "Acme"})
    assert f"?partner={supplier.pk}" in response.content.decode()


def test_staff_resolves_before_the_deadline_through_the_page(client, staff, supplier):
    case = services.case_open(partner=supplier, kind="issue", channel="phone", subject="s", description="d")
    client.force_login(staff)
    url = reverse("cases:case_transition", args=[case.pk])
    response = client.post(url, {"to_status": "resolved", "resolution": ""})
    assert response.status_code == 200 and "Say how the case was resolved." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    response = client.post(url, {"to_status": "resolved", "resolution": "Sent the right parts."}, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert 'data-sla="met"' in response.content.decode()


def test_supervision_reads_but_cannot_write(client, supervisor, case):
    client.force_login(supervisor)
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert page.status_code == 200 and "note-form" not in page.content.decode()
    assert client.post(reverse("cases:case_note", args=[case.pk]), {"kind": "note", "body": "x"}).status_code == 403


def test_list_filters_and_search(client, staff, case, sales_customer):
    other = services.case_open(
        partner=sales_customer, kind="suggestion", channel="email", subject="Greener packaging", description="d"
    )
    client.force_login(staff)
    body = client.get(reverse("cases:case_list"), {"q": "packaging"}).content.decode()
    assert other.reference in body and case.reference not in body
    body = client.get(reverse("cases:case_list"), {"state": "open", "kind": "issue"}).content.decode()
    assert case.reference in body and other.reference not in body
    body = client.get(reverse("cases:case_list"), {"state": "bogus", "priority": "x"}).content.decode()
    assert "Select a valid choice" in body


def test_assigning_notifies_the_new_assignee(client, manager, staff, case):
    colleague = staff.__class__.objects.create_user("colleague", email="c@example.com")
    from django.contrib.auth.models import Group

    colleague.groups.add(Group.objects.get(name="Staff"))
    client.force_login(manager)
    client.post(reverse("cases:case_assign", args=[case.pk]), {"assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague
    assert Notification.objects.filter(recipient=colleague, kind="case_assigned").count() == 1


# --- Query counts ------------------------------------------------------------------------------


def _cases(n, partner):
    for i in range(n):
        services.case_open(partner=partner, kind="issue", channel="phone", subject=f"Case {i}", description="d")


@pytest.mark.parametrize("n", [2, 30])
def test_case_list_queries_do_not_grow(client, staff, supplier, django_assert_max_num_queries, n):
    _cases(n, supplier)
    client.force_login(staff)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("cases:case_list")).status_code == 200


def test_case_detail_and_report_queries(client, staff, case, django_assert_max_num_queries):
    for i in range(20):
        services.case_note_add(case=case, user=staff, kind="note", body=f"note {i}")
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("cases:sla_report"), {"months": "24", "family": "supplier"}).status_code == 200


def test_the_case_page_reads_its_case_with_three_joins_and_shows_every_relation(client, staff, case, supplier):
    """Issue #15: PostgreSQL's planning grows steeply with each join (an eight-table join took
    7-9 ms to plan at 100,000 partners): the case is read with its partner, department and
    assignee joined, its contact and creator fetched beside it, and nothing is lost."""
    contact = ContactFactory(partner=supplier, name="Wang Fang", email="wang@example.com")
    Case.objects.filter(pk=case.pk).update(contact=contact, assignee=staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Wang Fang" in body and "wang@example.com" in body and supplier.name in body
    case_sql = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"'))
    assert case_sql.count(" JOIN ") == 3, case_sql


def test_triage_links_a_web_form_case_to_its_partner(client, staff_sales, sales_customer):
    CaseIntakeRule.objects.create(family="customer", department=department("sales"))  # Sales triages
    case = services.feedback_submit(
        family="customer",
        kind="complaint",
        name="Wang",
        email="wang@unknown.example",
        company="Blue Ocean",
        subject="Late",
        description="d",
        language="zh-hans",
    )
    client.force_login(staff_sales)
    url = reverse("cases:case_edit", args=[case.pk])
    page = client.get(url).content.decode()
    assert f'value="{sales_customer.pk}"' in page  # customers to choose from
    response = post_edit(
        client,
        url,
        {
            "partner": sales_customer.pk,
            "kind": "complaint",
            "channel": "web_form",
            "priority": "3",
            "subject": "Late",
            "description": "d",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.partner, case.department.code, case.assignee, case.priority) == (
        sales_customer,
        "sales",
        staff_sales,
        Priority.HIGH,
    )
    # Now only the department (and the assignee) may work on it.
    assert selectors.may_work_on_case(staff_sales, case)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Edited" in body and "partner" in body.lower()


def test_editing_a_closed_case_keeps_the_deadlines_it_was_measured_against(case, staff):
    services.case_transition(case=case, user=staff, to_status="resolved", resolution="r", now=T0 + hours(30))
    services.case_transition(case=case, user=staff, to_status="closed", now=T0 + hours(31))
    services.case_update(case=case, user=staff, priority=Priority.LOW, now=T0 + hours(40))
    case.refresh_from_db()
    assert case.priority == Priority.LOW
    assert case.resolution_due_at == T0 + hours(24)  # still the high-priority deadline: missed
    assert services.sla.met(case.resolution_due_at, case.resolved_at) is False


def test_reopening_pauses_the_clock_for_the_time_it_was_resolved_and_escalates_again(case, staff, manager):
    scan_run("cases_sla", now=T0 + hours(25))  # resolution missed (+24 h): escalated once
    assert Notification.objects.filter(kind="case_breach", period__startswith="reso-").count() == 2
    services.case_transition(case=case, user=staff, to_status="resolved", resolution="r", now=T0 + hours(26))
    services.case_transition(case=case, user=staff, to_status="in_progress", now=T0 + hours(50))
    case.refresh_from_db()
    assert case.resolution_due_at == T0 + hours(24 + 24)  # the 24 h spent resolved do not count
    assert case.resolution_escalated_at is None
    assert scan_run("cases_sla", now=T0 + hours(47)).effects == 0  # inside the new deadline
    scan_run("cases_sla", now=T0 + hours(49))  # the new deadline missed: escalated again
    assert Notification.objects.filter(kind="case_breach", period__startswith="reso-").count() == 4
    assert services.case_escalate(case_id=case.pk, which="resolution", now=T0 + hours(50)) == 0


def test_a_huge_partner_id_in_the_list_filter_is_not_an_error(client, staff):
    client.force_login(staff)
    response = client.get(reverse("cases:case_list"), {"partner": "9" * 25})
    assert response.status_code == 200


def test_after_case_surveys_share_one_survey_per_template_family_and_quarter(supplier, staff):
    from evaluations.surveys.models import Survey, SurveyTemplate

    SurveyTemplate.objects.filter(name="Supplier satisfaction").update(send_after_case=True)
    for n in range(2):
        contact = ContactFactory(partner=supplier, email=f"c{n}@acme.example")
        case = services.case_open(
            partner=supplier, contact=contact, kind="issue", channel="phone", subject="s", description="d"
        )
        services.case_transition(case=case, user=staff, to_status="resolved", resolution="r")
        services.case_transition(case=case, user=staff, to_status="closed")
    survey = Survey.objects.get(after_case=True)
    assert survey.invitations.count() == 2


def test_export_follows_the_filter_and_is_spreadsheet_safe(client, staff, supplier):
    services.case_open(partner=supplier, kind="issue", channel="phone", subject="=HYPERLINK(1)", description="d")
    services.case_open(partner=supplier, kind="request", channel="email", subject="Price list", description="d")
    client.force_login(staff)
    response = client.get(reverse("cases:case_export"), {"kind": "issue"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("Reference,Opened,Family,Partner")
    assert len(lines) == 2 and "'=HYPERLINK(1)" in lines[1] and "Price list" not in body
    assert response["Content-Disposition"].startswith('attachment; filename="rapport-cases-')


def test_an_edit_note_lists_the_changed_fields_by_their_labels(client, case, staff):
    services.case_update(case=case, user=staff, priority=Priority.URGENT, subject="Late pallets", now=T0 + hours(1))
    note = case.notes.get(kind=CaseNote.Kind.EDITED)
    assert (note.changed_fields, note.body) == (["priority", "subject"], "")
    client.force_login(staff)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert '<span class="edited-fields">priority, subject</span>' in body


def test_the_status_buttons_say_what_each_move_does(client, case, staff):
    client.force_login(staff)
    url = reverse("cases:case_detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert "Start work" in body and "Wait on partner" in body and 'id="resolve-form"' in body
    assert 'name="to_status" value="resolved"' in body and "Reopen" not in body
    services.case_transition(case=case, user=staff, to_status="resolved", resolution="r", now=T0 + hours(3))
    body = client.get(url).content.decode()
    assert "Reopen" in body and ">Close<" in body and "Start work" not in body
    services.case_transition(case=case, user=staff, to_status="closed", now=T0 + hours(4))
    body = client.get(url).content.decode()
    assert "Reopen" in body and ">Close<" not in body


def test_replies_and_escalations_stand_out_in_the_timeline(client, case, staff):
    services.case_note_add(case=case, user=staff, kind=CaseNote.Kind.REPLY, body="We are on it", now=T0 + hours(1))
    client.force_login(staff)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert body.count("list-group-item-primary") == 1 and "list-group-item-danger" not in body
    assert services.case_escalate(case_id=case.pk, which="resolution", now=T0 + hours(30))
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "list-group-item-danger" in body and "Resolution deadline missed: escalated to the managers." in body


def test_the_sla_report_filters_by_period_and_family_and_ignores_refused_values(
    client, staff, supplier, sales_customer
):
    services.case_open(
        partner=supplier, kind="issue", channel="phone", subject="Now", description="d", created_by=staff
    )
    old = services.case_open(partner=supplier, kind="issue", channel="phone", subject="Old", description="d")
    Case.objects.filter(pk=old.pk).update(opened_at=timezone.now() - dt.timedelta(days=200))
    services.case_open(partner=sales_customer, kind="request", channel="email", subject="C", description="d")
    client.force_login(staff)

    def cases_by_family(params) -> dict:
        response = client.get(reverse("cases:sla_report"), params)
        assert response.status_code == 200
        return {
            str(row.label): row.n
            for _key, _title, rows in response.context["tables"]
            if _key == "family"
            for row in rows
        }

    assert cases_by_family({}) == {"Suppliers": 2, "Customers": 1}  # 12 months by default
    assert cases_by_family({"months": "3"}) == {"Suppliers": 1, "Customers": 1}
    assert cases_by_family({"months": "3", "family": "supplier"}) == {"Suppliers": 1}
    # A refused value drops that filter only.
    assert cases_by_family({"months": "5", "family": "supplier"}) == {"Suppliers": 2}
    response = client.get(reverse("cases:sla_report"), {"months": "5", "family": "nonsense"})
    assert response.context["months"] == 12 and response.context["family"] is None
