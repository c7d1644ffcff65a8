"""Responses to a signed-in user are never stored by a browser or proxy cache
(``Cache-Control: private, no-store``); public pages keep their own headers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

from crm.calendar import calendar_token_for


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("dashboard", {}),
        ("partners:list", {}),
        ("partners:list", {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list-results"}),  # htmx partial
        ("partners:export", {}),  # CSV export
        ("cases:case_export", {}),
        ("notifications", {}),
        ("profile", {}),
    ],
)
def test_signed_in_pages_and_exports_are_not_stored(client, manager, supervisor, name, headers):
    client.force_login(supervisor if name.startswith("cases") else manager)
    response = client.get(reverse(name), **headers)
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_a_partner_page_is_not_stored(client, staff, supplier):
    client.force_login(staff)
    response = client.get(reverse("partners:detail", args=[supplier.pk]))
    assert response.status_code == 200 and {"private", "no-store"} <= cache_control(response)


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403 and {"private", "no-store"} <= cache_control(response)


def test_public_pages_keep_their_own_headers(client, db):
    # The public complaint form is never cached (its own never_cache), whoever opens it.
    assert "no-store" not in cache_control(client.get(reverse("dashboard")))  # a redirect to sign in
    feedback = client.get(reverse("cases:feedback"))
    assert feedback.status_code == 200 and "private" in cache_control(feedback) and get_max_age(feedback) == 0


def test_a_view_choosing_its_own_cache_control_keeps_it(client, staff):
    # The calendar feed is fetched by a calendar program with a token, allowed 5 minutes.
    response = client.get(reverse("calendar_feed", args=[calendar_token_for(staff).token]))
    assert response.status_code == 200 and cache_control(response) == {"private", "max-age=300"}
    client.force_login(staff)
    response = client.get(reverse("calendar_feed", args=[calendar_token_for(staff).token]))
    assert cache_control(response) == {"private", "max-age=300"}
