"""The JSON API's rules (crm/api.py, docs/api.md): tokens, If-Match, validation, rate limit,
and writes through the pages' services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import ApiToken
from crm.services import api_token_create
from partners.cases.models import Case, CaseNote
from partners.models import FollowUp, Interaction, Partner
from tests.conftest import login
from tests.factories import FollowUpFactory, InteractionFactory


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_shown_once_on_the_profile_and_stored_as_a_hash(client, staff):
    login(client, staff)
    response = client.post(reverse("api_token_create"), {"name": "Spreadsheet"}, follow=True)
    raw = response.context["new_api_token"]["token"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=staff)
    assert token.token_hash != raw and raw not in token.token_hash
    assert raw not in client.get(reverse("profile")).content.decode()  # once only

    api = client.__class__()
    assert api.get("/api/partners/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert api.get("/api/partners/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_no_token_or_a_wrong_one_is_401(client, staff):
    assert client.get("/api/partners/").status_code in (401, 403)
    assert client.get("/api/partners/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_patch_needs_if_match_and_refuses_a_stale_write(client, staff, supplier):
    auth = bearer(staff)
    read = client.get(f"/api/partners/{supplier.pk}/", **auth)
    etag = read["ETag"]
    url = f"/api/partners/{supplier.pk}/"
    body = '{"region": "East"}'
    assert client.patch(url, body, content_type="application/json", **auth).status_code == 428

    ok = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag, **auth)
    assert ok.status_code == 200, ok.content
    assert ok.json()["region"] == "East" and ok["ETag"] != etag
    assert supplier.history.count() == 2  # recorded like a page edit

    stale = client.patch(url, '{"region": "West"}', content_type="application/json", HTTP_IF_MATCH=etag, **auth)
    assert stale.status_code == 412
    assert stale.json()["changed"] and stale["ETag"] == ok["ETag"]
    supplier.refresh_from_db()
    assert supplier.region == "East"


def test_invalid_input_is_400_with_field_messages(client, staff, supplier):
    auth = bearer(staff)
    etag = client.get(f"/api/partners/{supplier.pk}/", **auth)["ETag"]
    response = client.patch(
        f"/api/partners/{supplier.pk}/",
        '{"status": "nonsense", "website": ["x"]}',
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **auth,
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"status", "website"}
    assert client.post("/api/partners/", "[1]", content_type="application/json", **auth).status_code == 400


def test_the_api_refuses_what_the_page_refuses(client, staff_sales, supplier, supervisor):
    """Another department's staff reads the supplier but may not edit it; supervision reads only."""
    auth = bearer(staff_sales)
    etag = client.get(f"/api/partners/{supplier.pk}/", **auth)["ETag"]
    patch = client.patch(
        f"/api/partners/{supplier.pk}/", "{}", content_type="application/json", HTTP_IF_MATCH=etag, **auth
    )
    assert patch.status_code == 403
    body = '{"family": "supplier", "kind": "manufacturer", "name": "X", "status": "candidate", "tier": 2}'
    assert client.post("/api/partners/", body, content_type="application/json", **bearer(supervisor)).status_code == 403


def test_create_partner_and_log_an_interaction_with_follow_ups(client, staff):
    auth = bearer(staff)
    body = {"family": "supplier", "kind": "manufacturer", "name": "Api Parts", "status": "candidate", "tier": 2}
    created = client.post("/api/partners/", body, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    partner = Partner.objects.get(name="Api Parts")
    assert partner.owner == staff and created["ETag"]

    when = timezone.now() - dt.timedelta(hours=1)
    log = {
        "partner": partner.pk,
        "kind": "call",
        "occurred_at": when.isoformat(),
        "subject": "Prices",
        "follow_ups": [{"description": "Send the offer", "owner": staff.pk, "due_on": "2099-01-01"}],
    }
    response = client.post("/api/interactions/", log, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get(partner=partner)
    followup = FollowUp.objects.get(interaction=interaction)
    assert followup.owner == staff

    mine = client.get("/api/follow-ups/?state=open", **auth).json()
    assert [f["id"] for f in mine["results"]] == [followup.pk]


def test_follow_up_done_with_if_match(client, staff, supplier):
    followup = FollowUpFactory(partner=supplier, owner=staff)
    auth = bearer(staff)
    url = f"/api/follow-ups/{followup.pk}/"
    etag = client.get(url, **auth)["ETag"]
    done = client.patch(url, {"done": True}, content_type="application/json", HTTP_IF_MATCH=etag, **auth)
    assert done.status_code == 200 and done.json()["done"] is True
    again = client.patch(url, {"done": False}, content_type="application/json", HTTP_IF_MATCH=etag, **auth)
    assert again.status_code == 412


def test_open_a_case_from_another_channel_and_add_a_note(client, staff, supplier):
    auth = bearer(staff)
    body = {
        "partner": supplier.pk,
        "kind": "complaint",
        "channel": "email",
        "priority": 2,
        "subject": "Late",
        "description": "Two weeks late.",
    }
    response = client.post("/api/cases/", body, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    case = Case.objects.get(subject="Late")
    assert case.created_by == staff and case.channel == "email"
    note = client.post(
        f"/api/cases/{case.pk}/notes/",
        {"kind": "note", "body": "Called them."},
        content_type="application/json",
        **auth,
    )
    assert note.status_code == 201
    assert CaseNote.objects.filter(case=case, kind="note", body="Called them.").exists()
    assert (
        client.post(
            f"/api/cases/{case.pk}/notes/", {"kind": "note", "body": " "}, content_type="application/json", **auth
        ).status_code
        == 400
    )


@pytest.mark.parametrize("n", [3])
def test_rate_limit_per_token(client, staff, settings, n):
    settings.RAPPORT_API_RATE = f"{n}/minute"
    first, second = bearer(staff), bearer(staff)
    codes = [client.get("/api/partners/", **first).status_code for _ in range(n + 1)]
    assert codes == [200] * n + [429]
    assert client.get("/api/partners/", **second).status_code == 200  # each token its own count


def test_cursor_pages_the_list(client, staff, supplier):
    from tests.factories import PartnerFactory

    PartnerFactory(name="Second", owner=staff)
    auth = bearer(staff)
    page = client.get("/api/partners/?page_size=1", **auth).json()
    assert len(page["results"]) == 1 and page["next"]
    rest = client.get(page["next"], **auth).json()
    assert {page["results"][0]["id"], rest["results"][0]["id"]} == set(Partner.objects.values_list("pk", flat=True))


def test_lists_take_a_fixed_number_of_queries(client, staff, django_assert_max_num_queries):
    from tests.factories import PartnerFactory

    for i in range(6):
        InteractionFactory(partner=PartnerFactory(name=f"P{i}", owner=staff), author=staff)
    auth = bearer(staff)
    for url in ("/api/partners/", "/api/interactions/", "/api/contacts/", "/api/cases/", "/api/follow-ups/"):
        with django_assert_max_num_queries(8):
            assert client.get(url, **auth).status_code == 200


def test_the_browser_session_works_with_its_csrf_check(staff, supplier):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.get("/api/partners/").status_code == 200
    refused = browser.post("/api/cases/", {"partner": supplier.pk}, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token: a page of another site cannot write


def test_docs_page_uses_vendored_assets(client, staff):
    login(client, staff)
    page = client.get(reverse("api_docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page and "http://" not in page
    schema = client.get(reverse("api_schema") + "?format=json").json()
    assert "/api/partners/{id}/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_a_deactivated_users_token_fails(client, staff):
    auth = bearer(staff)
    staff.is_active = False
    staff.save()
    assert client.get("/api/partners/", **auth).status_code == 401


def test_read_only_reports(client, staff, supplier):
    auth = bearer(staff)
    results = client.get("/api/survey-results/?year=2026", **auth)
    assert results.status_code == 200 and results.json()["year"] == 2026
    assert client.get("/api/survey-results/?year=20260", **auth).status_code == 400
    assert client.get("/api/standings/", **auth).json() == {"template": ["Choose a scorecard template (its id)."]}
    card = client.get(f"/api/scorecards/{supplier.pk}/", **auth).json()
    assert card["partner"] == supplier.pk and card["current"] is None
