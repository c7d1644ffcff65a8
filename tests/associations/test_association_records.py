"""Associations (P4.4): the records on an association's page, and bad input refused with a
message and nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from partners.associations.models import AssociationEvent, IndustryReport, Membership, Position, StandardWork
from partners.associations.scans import association_terms_scan, industry_report_digest_scan
from partners.projects.services import project_create
from tests.factories import PartnerFactory, UserFactory
from tests.partners.test_query_counts import grow

D = dt.date
PDF = b"%PDF-1.4 test"


@pytest.fixture
def association(staff):
    return PartnerFactory(name="Electronics Association", family="association", owner=staff)


def _new(kind: str, association) -> str:
    return reverse("associations:record_create", kwargs={"pk": association.pk, "kind": kind})


def test_manager_adds_a_membership_shown_on_the_association_page(client, manager, association):
    client.force_login(manager)
    response = client.post(
        _new("membership", association),
        {
            "level": "Council member",
            "fee": "5000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "remind_days": 60,
        },
    )
    assert response.status_code == 302
    page = client.get(association.get_absolute_url()).content.decode()
    assert "Council member" in page and 'id="assoc-memberships"' in page


def test_staff_record_an_event_whose_takeaways_reach_the_departments_chosen(client, staff, staff_sales, association):
    from crm.models import Department, Notification

    client.force_login(staff)
    assert client.get(_new("membership", association)).status_code == 403
    data = {
        "kind": "seminar",
        "topic": "Data rules",
        "purpose": "policy",
        "starts_on": "2026-03-01",
        "attendees": [staff.pk],
        "takeaways": "New clause needed",
        "shared_with": [Department.objects.get(code="sales").pk],
    }
    assert client.post(_new("event", association), data).status_code == 302
    assert Notification.objects.filter(kind="event_takeaways_shared", recipient=staff_sales).count() == 1


def test_an_end_date_before_the_start_is_refused(client, manager, association):
    client.force_login(manager)
    response = client.post(
        _new("membership", association),
        {"level": "Member", "starts_on": "2026-06-01", "ends_on": "2026-05-01", "remind_days": 60},
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Membership.objects.exists()


def test_a_position_overlapping_another_holders_term_of_the_same_role_is_refused(client, manager, association):
    other = UserFactory(username="holder", role="Staff", dept="procurement", first_name="Li", last_name="Na")
    Position.objects.create(
        association=association, role="Vice-chair", person=other, starts_on=D(2025, 1, 1), ends_on=D(2026, 12, 31)
    )
    client.force_login(manager)
    data = {
        "role": "vice-chair",
        "person": manager.pk,
        "starts_on": "2026-06-01",
        "ends_on": "2027-06-01",
        "remind_days": 30,
    }
    response = client.post(_new("position", association), data)
    assert response.status_code == 200
    assert "Li Na holds the role" in response.content.decode()
    assert Position.objects.count() == 1
    # After the other term ends, the role is free.
    data["starts_on"] = "2027-01-01"
    assert client.post(_new("position", association), data).status_code == 302
    assert Position.objects.count() == 2


def test_an_html_file_renamed_pdf_is_refused(client, staff, association):
    client.force_login(staff)
    upload = SimpleUploadedFile("rule.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(
        _new("standard", association), {"title": "Rule", "our_role": "drafting", "stage": "draft", "document": upload}
    )
    assert response.status_code == 200
    assert "does not match its extension" in response.content.decode()
    assert not StandardWork.objects.exists()


@override_settings(RAPPORT_UPLOAD_MAX_BYTES=1024)
def test_an_oversize_report_is_refused(client, staff, manager):
    client.force_login(manager)
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 4096, content_type="application/pdf")
    response = client.post(
        reverse("associations:report_create"),
        {"source_institution": "Institute", "title": "Big", "summary": "S", "file": upload, "people": [staff.pk]},
    )
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not IndustryReport.objects.exists()


def test_association_page_queries_are_fixed(client, django_assert_max_num_queries, manager, staff, association):
    # Everything any partner page shows (contacts, interactions, follow-ups, tags …), and then
    # what only an association's shows.
    grow(manager, association, 2)
    for i in range(3):
        Position.objects.create(
            association=association,
            role=f"R{i}",
            person=manager if i == 0 else staff,
            starts_on=D(2020 + i, 1, 1),
            ends_on=D(2020 + i, 12, 31),
        )
        Membership.objects.create(association=association, level=f"L{i}", ends_on=D(2026, 12, i + 1))
        event = AssociationEvent.objects.create(
            association=association,
            kind="seminar",
            topic=f"T{i}",
            purpose="policy",
            starts_on=D(2026, 3, i + 1),
            recorded_by=manager,
        )
        event.attendees.set([manager])
        project_create(
            data={
                "title": f"Kits {i}",
                "kind": "public_welfare",
                "owner": manager,
                "goal": "G",
                "starts_on": D(2026, 3, 1),
            },
            partners=[association],
            by=manager,
        )
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.get(association.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200 and "T2" in body
    # The projects card (partners/projects) loads its rows after the page: no query here.
    card_url = reverse("projects:partner_projects", args=[association.pk])
    assert card_url in body
    assert "Kits 2" in client.get(card_url, HTTP_HX_REQUEST="true").content.decode()


def test_events_list_filters_and_exports(client, django_assert_max_num_queries, staff, association):
    for kind, topic in (("seminar", "Data rules"), ("training", "Welding")):
        AssociationEvent.objects.create(
            association=association,
            kind=kind,
            topic=topic,
            purpose="policy",
            starts_on=D(2026, 3, 1),
            recorded_by=staff,
        )
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("associations:events"), {"kind": "seminar"}).content.decode()
    assert "Data rules" in page and "Welding" not in page
    csv = b"".join(client.get(reverse("associations:events_csv"), {"q": "weld"}).streaming_content).decode()
    assert "Welding" in csv and "Data rules" not in csv


def test_term_reminders_and_the_weekly_digest_are_sent_once(client, manager, staff, association):
    from crm.models import Notification
    from partners.associations.models import ReportReceipt

    today = dt.date.today()
    Membership.objects.create(association=association, level="Member", ends_on=today + dt.timedelta(days=10))
    report = IndustryReport.objects.create(
        source_institution="I", title="Outlook", summary="S", link="https://x.example", sent_by=manager
    )
    ReportReceipt.objects.create(report=report, reader=staff)
    now = dt.datetime.now(dt.UTC)
    for _ in range(2):
        association_terms_scan(now)
        industry_report_digest_scan(now)
    assert Notification.objects.filter(kind="membership_renewal", recipient=manager).count() == 1
    assert Notification.objects.filter(kind="industry_report_digest", recipient=staff).count() == 1
    # The dashboard says what is due: the renewal to the manager, the unread report to staff.
    client.force_login(manager)
    assert "membership (Member) ends on" in client.get(reverse("dashboard")).content.decode()
    client.force_login(staff)
    assert "1 industry report to read" in client.get(reverse("dashboard")).content.decode()


def test_reports_read_appear_in_policy_coverage(manager, staff, staff_sales):
    from partners.associations.models import ReportReceipt
    from supervision import coverage

    year = dt.date.today().year - 1
    report = IndustryReport.objects.create(source_institution="I", title="Outlook", summary="S", sent_by=manager)
    IndustryReport.objects.filter(pk=report.pk).update(created_at=dt.datetime(year, 5, 1, tzinfo=dt.UTC))
    ReportReceipt.objects.create(report=report, reader=staff, read_at=dt.datetime(year, 5, 2, tzinfo=dt.UTC))
    ReportReceipt.objects.create(report=report, reader=staff_sales)
    rows = {row.clause.code: row for row in coverage.coverage(year=year).rows}
    (figure,) = rows["P4.4.3"].figures
    assert (figure.counted, figure.passed) == (2, 1)


def test_demo_seeds_every_model_once(manager, staff):
    import random

    from django.utils import timezone

    from crm.demo import DemoOptions
    from partners.associations import demo
    from partners.associations.models import ReportReceipt, StandardWork, Submission

    UserFactory(username="rnd", role="Staff", dept="rnd")
    PartnerFactory(
        name="Assoc A", family="association", owner=staff, membership_level="Council", preferred_language="zh-hans"
    )
    models = (Membership, Position, AssociationEvent, StandardWork, Submission, IndustryReport)
    for _ in range(2):
        demo.seed(rng=random.Random(1), now=timezone.now(), options=DemoOptions())
        assert [m.objects.count() for m in models] == [1, 1, 1, 1, 1, 3]
    assert Membership.objects.get().level == "Council"
    assert ReportReceipt.objects.filter(read_at__isnull=False).exists()


def test_memberships_list_searches_and_exports(client, django_assert_max_num_queries, staff, association):
    Membership.objects.create(association=association, level="Council member", ends_on=D(2026, 12, 31))
    Membership.objects.create(association=association, level="Observer", ends_on=D(2026, 6, 30))
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("associations:memberships"), {"q": "council"}).content.decode()
    assert "Council member" in page and "Observer" not in page
    csv = b"".join(client.get(reverse("associations:memberships_csv")).streaming_content).decode()
    assert csv.index("Observer") < csv.index("Council member")  # soonest to end first


def test_positions_list_filters_by_term_searches_by_person_and_exports(
    client, django_assert_max_num_queries, staff, manager, association
):
    """The positions our people hold (P4.4.1): current or ended, by person, soonest to end first."""
    from django.utils import timezone

    today = timezone.localdate()
    holder = UserFactory(username="wang", first_name="Wei", last_name="Wang", role="Staff", dept="procurement")
    Position.objects.create(
        association=association,
        role="Vice-chair",
        person=holder,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=60),
    )
    Position.objects.create(
        association=association,
        role="Council member",
        person=manager,
        starts_on=today - dt.timedelta(days=900),
        ends_on=today - dt.timedelta(days=10),
    )
    Position.objects.create(
        association=association,
        role="Treasurer",
        person=staff,
        starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=20),
    )
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("associations:positions"), {"held": "current"}).content.decode()
    assert "Vice-chair" in page and "Treasurer" in page and "Council member" not in page
    assert page.index("Treasurer") < page.index("Vice-chair")  # the term ending soonest first
    page = client.get(reverse("associations:positions"), {"q": "wang"}).content.decode()
    assert "Wei Wang" in page and "Treasurer" not in page
    page = client.get(reverse("associations:positions"), {"held": "ended"}).content.decode()
    assert "Council member" in page and "ended" in page and "Vice-chair" not in page
    csv = b"".join(client.get(reverse("associations:positions_csv"), {"held": "current"}).streaming_content).decode()
    assert csv.splitlines()[0].lstrip("\ufeff") == "Association,Role,Held by,Start date,End date"
    assert [line.split(",")[1] for line in csv.splitlines()[1:]] == ["Treasurer", "Vice-chair"]
    empty = client.get(reverse("associations:positions"), {"q": "nobody"}).content.decode()
    assert "No position matches these filters." in empty
