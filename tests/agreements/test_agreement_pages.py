"""Agreement pages (P4.3.2): the forms refuse bad input next to the field and save nothing,
documents are checked by content and size, the list filters and exports, and the partner's
page and the list run a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from crm.models import CorrectiveAction
from partners.agreements import services
from partners.agreements.models import Agreement, AgreementDocument, ExecutionReview, Obligation
from tests.factories import PartnerFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n"


@pytest.fixture
def ally(staff):
    return PartnerFactory(name="Bright Labs", family="partner", owner=staff)


def _form(partner, manager, **overrides) -> dict:
    today = timezone.localdate()
    return {
        "title": "Joint R&D",
        "kind": "cooperation",
        "partners": [partner.pk],
        "owner": manager.pk,
        "status": "active",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=365)).isoformat(),
        "notice_days": 60,
        "review_cadence": "quarterly",
        "scope": "Joint development",
        "benefit_sharing": "",
    } | overrides


@pytest.fixture
def agreement(manager, ally):
    today = timezone.localdate()
    return services.agreement_create(
        data={k: v for k, v in _form(ally, manager).items() if k not in ("partners", "owner")}
        | {"owner": manager, "starts_on": today, "ends_on": today + dt.timedelta(days=365)},
        partners=[ally],
        by=manager,
    )


def test_a_manager_creates_an_agreement_from_the_partners_page(client, manager, ally):
    client.force_login(manager)
    page = client.get(ally.get_absolute_url()).content.decode()
    assert 'id="agreements"' in page and reverse("agreements:create", args=[ally.pk]) in page
    response = client.post(reverse("agreements:create", args=[ally.pk]), _form(ally, manager), follow=True)
    assert "The agreement was created." in response.content.decode()
    agreement = Agreement.objects.get()
    assert agreement.status == "active" and list(agreement.partners.all()) == [ally]
    assert "Joint R&amp;D" in client.get(reverse("partners:history", args=[ally.pk])).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "2020-01-01", "starts_on": "2021-01-01"}, "The term cannot end before it starts."),
        ({"partners": []}, "This field is required."),
    ],
)
def test_bad_terms_are_refused_next_to_the_field(client, manager, ally, overrides, message):
    client.force_login(manager)
    response = client.post(reverse("agreements:create", args=[ally.pk]), _form(ally, manager, **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Agreement.objects.exists()


def test_an_overlapping_active_agreement_is_refused_on_the_form(client, manager, ally, agreement):
    client.force_login(manager)
    response = client.post(reverse("agreements:create", args=[ally.pk]), _form(ally, manager, title="Again"))
    assert response.status_code == 200
    assert "is already active for this partner" in response.content.decode()
    assert Agreement.objects.count() == 1


def _upload(client, agreement, name, content):
    url = reverse("agreements:document_add", args=[agreement.pk])
    return client.post(url, {"title": "Signed copy", "file": SimpleUploadedFile(name, content)})


def test_an_html_page_renamed_pdf_is_refused(client, manager, agreement):
    client.force_login(manager)
    response = _upload(client, agreement, "contract.pdf", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 200 and "does not match its extension" in response.content.decode()
    assert not AgreementDocument.objects.exists()


@override_settings(RAPPORT_UPLOAD_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused(client, manager, agreement):
    """The 50 MB file of the issue, scaled down: the limit is lowered instead."""
    client.force_login(manager)
    response = _upload(client, agreement, "big.pdf", PDF + b"0" * 4096)
    assert response.status_code == 200 and "The file is too large" in response.content.decode()
    assert not AgreementDocument.objects.exists()


def test_a_document_is_sent_as_an_attachment(client, manager, supervisor, agreement):
    client.force_login(manager)
    _upload(client, agreement, "contract.pdf", PDF)
    document = AgreementDocument.objects.get()
    client.force_login(supervisor)
    response = client.get(reverse("agreements:document_file", args=[document.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_departments_staff_update_an_obligations_status(client, staff, staff_sales, manager, agreement):
    obligation = services.obligation_add(
        agreement=agreement,
        data={"party": "ours", "description": "Send forecast", "due_on": timezone.localdate(), "owner": staff},
        by=manager,
    )
    url = reverse("agreements:obligation_status", args=[obligation.pk])
    client.force_login(staff_sales)
    assert client.post(url, {"status": "met"}).status_code == 403
    client.force_login(staff)
    client.post(url, {"status": "met"})
    assert Obligation.objects.get().status == "met"


def test_the_list_filters_and_exports_what_it_shows(client, supervisor, manager, ally, agreement):
    other = PartnerFactory(name="Dark Matter", family="partner")
    today = timezone.localdate()
    services.agreement_create(
        data={"title": "NDA", "kind": "nda", "owner": manager, "scope": "x", "starts_on": today, "ends_on": today},
        partners=[other],
        by=manager,
    )
    client.force_login(supervisor)
    page = client.get(reverse("agreements:list"), {"q": "bright"}).content.decode()
    assert "Joint R&amp;D" in page and ">NDA<" not in page
    response = client.get(reverse("agreements:export"), {"kind": "nda"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Dark Matter" in text and "Bright Labs" not in text


def test_pages_run_a_fixed_number_of_queries(client, manager, ally, agreement, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(3):
        partner = PartnerFactory(family="partner")
        a = services.agreement_create(
            data={
                "title": f"A{i}",
                "kind": "nda",
                "owner": manager,
                "scope": "x",
                "starts_on": today,
                "ends_on": today,
            },
            partners=[partner, ally],
            by=manager,
        )
        services.obligation_add(agreement=a, data={"party": "theirs", "description": "x", "due_on": today}, by=manager)
    client.force_login(manager)
    for url in (
        ally.get_absolute_url(),
        reverse("agreements:list"),
        agreement.get_absolute_url(),
        reverse("dashboard"),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200


def test_every_familys_page_loads_its_agreements_card_after_the_page(
    client, staff, manager, supplier, django_assert_num_queries
):
    """Suppliers, customers, partners and associations all hold agreements: their page shows
    the card, whose rows (status, type, term, review due) load after the page in a fixed
    number of queries."""
    card_url = reverse("agreements:partner_agreements", args=[supplier.pk])
    hx = {"HTTP_HX_REQUEST": "true"}
    client.force_login(staff)
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert card_url in page and reverse("agreements:create", args=[supplier.pk]) not in page
    assert "No agreement with this partner yet." in client.get(card_url, **hx).content.decode()
    # A plain visit lands on the list, searched for the partner.
    assert client.get(card_url)["Location"] == reverse("agreements:list") + "?q=" + supplier.name.replace(" ", "+")
    for family in ("customer", "association"):
        other = PartnerFactory(family=family, owner=staff)
        page = client.get(other.get_absolute_url()).content.decode()
        assert reverse("agreements:partner_agreements", args=[other.pk]) in page

    today = timezone.localdate()

    def supply(title: str, starts_on: dt.date) -> Agreement:
        return services.agreement_create(
            data={
                "title": title,
                "kind": "supply",
                "owner": manager,
                "scope": "Parts",
                "status": "active",
                "starts_on": starts_on,
                "ends_on": starts_on + dt.timedelta(days=30),
                "review_cadence": "quarterly",
            },
            partners=[supplier],
            by=manager,
        )

    first = supply("Parts 2025", today - dt.timedelta(days=400))
    Agreement.objects.filter(pk=first.pk).update(next_review_on=today - dt.timedelta(days=1))
    services.obligation_add(agreement=first, data={"party": "theirs", "description": "x", "due_on": today}, by=manager)
    client.force_login(manager)
    assert reverse("agreements:create", args=[supplier.pk]) in client.get(supplier.get_absolute_url()).content.decode()
    with django_assert_num_queries(4) as one:
        card = client.get(card_url, **hx).content.decode()
    assert card.count('class="list-group-item small agreement"') == 1
    assert first.get_absolute_url() in card and "Supply contract" in card and "Active" in card
    assert "Execution review due on" in card and "1 open obligation" in card
    for i in range(3):
        supply(f"Parts {i}", today + dt.timedelta(days=40 * i))
    with django_assert_num_queries(len(one.captured_queries)):
        card = client.get(card_url, **hx).content.decode()
    assert card.count('class="list-group-item small agreement"') == 4 and "Next execution review:" in card


def test_a_manager_adds_further_corrective_actions_to_a_review(
    client, manager, staff, agreement, django_assert_max_num_queries
):
    """A review records several corrective actions: the first with the review, the others
    added afterwards from the agreement's page; each is the kernel's action, listed under
    the review."""
    today = timezone.localdate()
    review = services.review_record(
        agreement=agreement,
        data={"rating": 2, "reviewed_on": today, "issues": "Late parts"},
        actions=[{"description": "Agree a delivery plan", "owner": staff, "due_on": today}],
        by=manager,
    )
    url = reverse("agreements:review_action_add", args=[review.pk])
    client.force_login(staff)
    assert url not in client.get(agreement.get_absolute_url()).content.decode()
    assert client.post(url, {"description": "x", "owner": staff.pk, "due_on": today.isoformat()}).status_code == 403

    client.force_login(manager)
    assert url in client.get(agreement.get_absolute_url()).content.decode()
    inline = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'action="{url}"' in inline and "<html" not in inline
    assert '<h1 class="h3">Add a corrective action</h1>' in client.get(url).content.decode()
    for description in ("Weekly call with their planner", "Second source for part 7"):
        data = {"description": description, "owner": staff.pk, "due_on": (today + dt.timedelta(days=14)).isoformat()}
        response = client.post(url, data, follow=True)
        assert "The corrective action was added." in response.content.decode()
    # Bad input: said next to the field, nothing saved.
    for bad, message in (
        ({"owner": ""}, "This field is required."),
        ({"due_on": (today - dt.timedelta(days=1)).isoformat()}, "The due date cannot be in the past."),
    ):
        response = client.post(url, data | bad)
        assert response.status_code == 200 and message in response.content.decode()

    actions = CorrectiveAction.objects.filter(source_type__model="executionreview", source_id=review.pk)
    assert sorted(a.description for a in actions) == [
        "Agree a delivery plan",
        "Second source for part 7",
        "Weekly call with their planner",
    ]
    assert {(a.department_id, a.owner_id, a.raised_by_id) for a in actions} == {
        (agreement.department_id, staff.pk, manager.pk)
    }
    assert ExecutionReview.objects.count() == 1
    with django_assert_max_num_queries(15):
        page = client.get(agreement.get_absolute_url()).content.decode()
    listed = page[page.index(f'id="review-{review.pk}"') :]
    assert listed.count('class="review-action"') == 3
    assert "Second source for part 7" in listed and "Weekly call with their planner" in listed
