"""A NUL byte or another control character anywhere in a request (path, query string, form
field) gives 400 or 404, never 500 (PostgreSQL refuses NUL in text: unchecked, it reaches a
query as a server error)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.cases.models import Case

pytestmark = pytest.mark.django_db

# Control characters (NUL above all) mixed with ordinary text and the characters that
# matter in a URL or a LIKE pattern.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(categories=["Cc"]),
        st.sampled_from("\x00%_'\"\\/ ?&=#abc123é中"),
    ),
    max_size=20,
)
# Real filter and paging parameters, and a few made-up ones.
param_names = st.sampled_from(
    ["q", "status", "tier", "owner", "department", "tag", "not_contacted_days", "archived", "sort", "page", "next"]
    + ["family", "kind", "assignee", "overdue", "lang", "x\x00"]
)
query = st.dictionaries(param_names, hostile_text, min_size=1, max_size=4)

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def check(response, params: dict[str, str]) -> None:
    assert response.status_code < 500, params
    if any("\x00" in key or "\x00" in value for key, value in params.items()):
        assert response.status_code in (400, 404), params


@pytest.fixture
def urls(supplier, sales_customer):
    return [
        reverse("partners:list"),
        reverse("partners:family_list", args=["customer"]),
        reverse("partners:detail", args=[supplier.pk]),
        reverse("partners:followups"),
        reverse("partners:export"),
        reverse("cases:case_list"),
        reverse("evaluations:overview"),
        reverse("dashboard"),
    ]


@FUZZ
@given(params=query)
def test_list_and_detail_pages_never_fail_on_a_hostile_query_string(client, manager, urls, params):
    client.force_login(manager)
    for url in urls:
        check(client.get(url, params), params)


@FUZZ
@given(params=query)
def test_public_pages_never_fail_on_a_hostile_query_string(client, params):
    for url in [reverse("login"), reverse("cases:feedback"), reverse("surveys:respond", args=["t0ken"])]:
        check(client.get(url, params), params)


@pytest.mark.parametrize(
    "path",
    [
        "/partners/%00/",
        "/partners/1%00/",
        "/partners/family/%00/",
        "/s/%00abc/",
        "/u/%00/",
        "/calendar/%00.ics",
        "/accounts/login/%00",
        "/%00",
    ],
)
def test_a_nul_byte_in_the_path_is_refused(client, manager, path):
    client.force_login(manager)
    assert client.get(path).status_code in (400, 404)


def test_a_nul_byte_in_the_query_string_is_a_400(client, manager):
    client.force_login(manager)
    response = client.get(reverse("partners:list") + "?q=ac%00me")
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


@FUZZ
@given(username=hostile_text, password=hostile_text)
def test_the_login_form_never_fails(client, staff, username, password):
    for content in ("urlencoded", "multipart"):
        data = {"username": username, "password": password}
        if content == "urlencoded":
            response = client.post(
                reverse("login"), "&".join(f"{k}={v}" for k, v in _quoted(data)), "application/x-www-form-urlencoded"
            )
        else:
            response = client.post(reverse("login"), data)
        check(response, data)
        assert response.status_code != 302 or (username, password) == ("staff", "pw-for-tests-1")


def _quoted(data: dict[str, str]):
    from urllib.parse import quote

    return [(quote(key), quote(value)) for key, value in data.items()]


FEEDBACK = {
    "family": "customer",
    "kind": "complaint",
    "name": "Wang Fang",
    "email": "wang@bluesky.example",
    "company": "Blue Sky Trading",
    "subject": "Invoice sent twice",
    "description": "We were billed twice for order 1001.",
    "website": "",
}


@FUZZ
@given(field=st.sampled_from(sorted(FEEDBACK)), value=st.tuples(hostile_text, hostile_text).map("\x00".join))
def test_the_public_feedback_form_refuses_nul_and_saves_nothing(client, field, value):
    data = {**FEEDBACK, field: value}
    multipart = client.post(reverse("cases:feedback"), data)
    urlencoded = client.post(
        reverse("cases:feedback"),
        "&".join(f"{k}={v}" for k, v in _quoted(data)),
        "application/x-www-form-urlencoded",
    )
    assert multipart.status_code == 400 and urlencoded.status_code == 400
    assert not Case.objects.exists()
