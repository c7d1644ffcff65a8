"""Every filtered list's live filter (crm/lists.py, issue #12 §3): the form asks the list's path,
never the current URL (whose query htmx would send again under the form's fields), and every
link the page or its results fragment renders carries the current filter exactly once; the
export links follow the filter the list was rendered for, in the page and in the fragment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from crm.models import Department
from partners.cases import services as case_services
from partners.customers.models import Gift
from supervision import services as supervision_services
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list-results"}
URL_ATTRIBUTES = ("href", "action", "hx-get", "hx-post")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements(body: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(body)
    return parser.elements


def urls(body: str) -> list[str]:
    return [attrs[name] for _tag, attrs in elements(body) for name in URL_ATTRIBUTES if name in attrs]


def assert_no_query_repeated(body: str) -> None:
    """No link or htmx request of the page carries a query twice (one "?", each name once)."""
    for url in urls(body):
        assert url.count("?") <= 1, url
        names = [name for name, _value in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
        assert len(names) == len(set(names)), url


def export_href(body: str) -> str:
    [href] = [attrs["href"] for _tag, attrs in elements(body) if attrs.get("id") == "export-csv"]
    return href


def live_form(body: str) -> dict:
    [attrs] = [attrs for tag, attrs in elements(body) if tag == "form" and "data-live-filter" in attrs]
    return attrs


def check_list(client, path: str, query: dict, *, export: str | None, expect_pages: bool) -> None:
    page = client.get(path, query)
    body = page.content.decode()
    assert page.status_code == 200
    form = live_form(body)
    # The form asks the path alone: htmx adds the form's fields, and pushes that URL.
    assert form["hx-get"] == path and form["hx-target"] == "#list-results" and form["hx-push-url"] == "true"
    assert_no_query_repeated(body)
    if expect_pages:
        pages = [url for url in urls(body) if "page=" in url]
        assert pages and all(dict(parse_qsl(urlsplit(url).query))["q"] == query["q"] for url in pages)

    fragment = client.get(path, query, **HTMX)
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text and "data-live-filter" not in text
    assert 'id="list-results"' not in text  # the block's content, swapped into it
    assert_no_query_repeated(text)
    if export is None:
        assert 'id="list-exports"' not in body and 'id="list-exports"' not in text
        return
    current = "&".join(f"{name}={value}" for name, value in query.items() if name != "page")
    assert export_href(body) == f"{export}?{current}"
    # The fragment renders the export links again for its own query, swapped out of band.
    assert export_href(text) == f"{export}?{current}"
    [exports] = [attrs for _tag, attrs in elements(text) if attrs.get("id") == "list-exports"]
    assert exports["hx-swap-oob"] == "true"


def test_partner_lists(client, staff, settings):
    settings.RAPPORT_PAGE_SIZE = 1
    for n in range(3):
        PartnerFactory(name=f"Xenon {n}", owner=staff)
    client.force_login(staff)
    check_list(
        client, reverse("partners:list"), {"q": "x", "page": "2"}, export=reverse("partners:export"), expect_pages=True
    )
    check_list(
        client,
        reverse("partners:family_list", args=["supplier"]),
        {"q": "x", "archived": "on", "page": "2"},
        export=reverse("partners:family_export", args=["supplier"]),
        expect_pages=False,
    )


def test_partner_fragment_lists_what_the_filter_finds(client, staff, supplier):
    PartnerFactory(name="Xenon Optics", owner=staff)
    client.force_login(staff)
    text = client.get(reverse("partners:list"), {"q": "xenon"}, **HTMX).content.decode()
    assert "Xenon Optics" in text and "Acme Components" not in text


def test_case_list(client, staff, supplier, settings):
    settings.RAPPORT_PAGE_SIZE = 1
    for n in range(3):
        case_services.case_open(
            partner=supplier, kind="issue", channel="phone", subject=f"Box {n}", description="d", created_by=staff
        )
    client.force_login(staff)
    check_list(
        client,
        reverse("cases:case_list"),
        {"q": "x", "page": "2"},
        export=reverse("cases:case_export"),
        expect_pages=True,
    )
    check_list(
        client,
        reverse("cases:case_list"),
        {"q": "x", "state": "all", "page": "2"},
        export=reverse("cases:case_export"),
        expect_pages=True,
    )


def test_corrective_action_list(client, staff, manager, supplier):
    crm_services.corrective_action_raise(
        source=supplier,
        description="Fix the box line",
        department=supplier.department,
        owner=staff,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        by=manager,
    )
    client.force_login(staff)
    check_list(client, reverse("corrective_actions"), {"q": "x", "page": "2"}, export=None, expect_pages=False)


def test_finding_list(client, supervisor, settings):
    settings.RAPPORT_PAGE_SIZE = 1
    for n in range(3):
        supervision_services.finding_record(
            data={
                "plan": None,
                "clause": "P3.3",
                "severity": "minor",
                "department": Department.objects.get(code="procurement"),
                "title": f"Boxes left open {n}",
                "description": "d",
                "response_due": timezone.localdate() + dt.timedelta(days=14),
            },
            evidence=[],
            by=supervisor,
        )
    client.force_login(supervisor)
    check_list(client, reverse("supervision:finding_list"), {"q": "x", "page": "2"}, export=None, expect_pages=True)


def test_gift_list(client, staff, settings):
    settings.RAPPORT_PAGE_SIZE = 1
    partner = PartnerFactory(name="Xylo Tools", owner=staff)
    for n in range(3):
        Gift.objects.create(
            partner=partner,
            description=f"Gift {n}",
            value=Decimal(100),
            date=timezone.localdate(),
            recorded_by=staff,
            status="not_required",
        )
    client.force_login(staff)
    check_list(client, reverse("customers:gift_list"), {"q": "x", "page": "2"}, export=None, expect_pages=True)


def test_needs_summary_exports_its_own_filter(client, staff):
    client.force_login(staff)
    body = client.get(reverse("customers:needs_summary"), {"industry": "Retail"}).content.decode()
    assert export_href(body) == reverse("customers:needs_export") + "?industry=Retail"
    assert_no_query_repeated(body)


def test_a_history_restore_gets_the_whole_page(client, staff):
    client.force_login(staff)
    response = client.get(reverse("partners:list"), {"q": "x"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()
    assert {"HX-Request", "HX-Target"} <= {h.strip() for h in response["Vary"].split(",")}
