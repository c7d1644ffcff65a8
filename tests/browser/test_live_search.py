"""Issue #12 §3 in a real browser: many live searches in a row leave the address bar holding
the current filter only (not every search appended again), and Export CSV exports that
filter, not the one the page was loaded with."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from partners.cases import services as case_services
from tests.browser.conftest import sign_in
from tests.factories import PartnerFactory, UserFactory, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAMES = ["Alpha Gears", "Beta Bolts", "Gamma Optics", "Delta Cables", "Epsilon Paints", "Zeta Foods"]
SEARCHES = 24


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", role="Staff", dept="procurement")


def search(page, term: str) -> None:
    """Type a search and wait until the live filter has answered and pushed its URL."""
    page.fill("#id_q", term)
    page.wait_for_function(
        "term => new URLSearchParams(location.search).get('q') === term && !document.querySelector('.htmx-request')",
        arg=term,
    )


def terms() -> list[str]:
    # Successive searches, each different from the one before (a partial word, then a whole one).
    words = [name.split()[0] for name in NAMES]
    return [words[i % len(words)][: 3 + i % 3] for i in range(SEARCHES - 1)] + ["Beta"]


def form_fields(page) -> dict[str, list[str]]:
    """The filter form's current fields that have a value, as the browser serializes them."""
    pairs = page.evaluate(
        "() => Array.from(new FormData(document.querySelector('form[data-live-filter]')).entries())"
        ".filter(([, value]) => value !== '')"
    )
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def export_rows(page) -> list[dict[str, str]]:
    with page.expect_download() as download:
        page.click("#export-csv")
    path = download.value.path()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def test_partner_list_live_search_keeps_the_url_and_the_export_current(page, staff):
    for name in NAMES:
        PartnerFactory(name=name, owner=staff)
    sign_in(page, "staff")
    page.goto("/partners/?q=Gamma")  # the export the page was loaded with: Gamma only
    for term in terms():
        search(page, term)
    assert len(page.url) < 200, page.url
    assert query(page.url) == {"q": ["Beta"]} == form_fields(page)
    assert page.get_attribute("#export-csv", "href") == "/partners/export.csv?q=Beta"
    assert page.locator("table.table-partners tbody tr").all_inner_texts()[0].startswith("Beta Bolts")
    assert page.locator("table.table-partners tbody tr").count() == 1
    assert [row["Name"] for row in export_rows(page)] == ["Beta Bolts"]

    # A filter set with a select: the URL and the export follow it too, the page starts again.
    page.select_option("#id_sort", "-name")
    page.wait_for_function("() => new URLSearchParams(location.search).get('sort') === '-name'")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert query(page.url) == {"q": ["Beta"], "sort": ["-name"]} == form_fields(page)
    assert page.get_attribute("#export-csv", "href") == "/partners/export.csv?q=Beta&sort=-name"
    assert page.console_errors == []


def test_case_list_live_search_keeps_the_url_and_the_export_current(page, staff):
    partner = PartnerFactory(name="Acme Components", owner=staff)
    opened = {
        name: case_services.case_open(
            partner=partner, kind="issue", channel="phone", subject=f"{name} order", description="d", created_by=staff
        )
        for name in NAMES
    }
    sign_in(page, "staff")
    page.goto("/cases/")
    for term in terms():
        search(page, term)
    assert len(page.url) < 200, page.url
    # The working view's state stays in the filter, as the form shows it.
    assert query(page.url) == {"q": ["Beta"], "state": ["open"]} == form_fields(page)
    assert page.get_attribute("#export-csv", "href") == "/cases/export.csv?q=Beta&state=open"
    assert page.locator("#cases tbody tr").count() == 1
    assert [row["Reference"] for row in export_rows(page)] == [opened["Beta Bolts"].reference]

    # Search by the case number alone, in every state.
    page.select_option("#id_state", "all")
    page.wait_for_function("() => new URLSearchParams(location.search).get('state') === 'all'")
    reference = opened["Zeta Foods"].reference
    search(page, reference.rsplit("-", 1)[1])
    assert query(page.url) == {"q": [reference.rsplit("-", 1)[1]], "state": ["all"]} == form_fields(page)
    assert page.locator("#cases tbody tr").all_inner_texts()[0].startswith(reference)
    assert [row["Reference"] for row in export_rows(page)] == [reference]
    assert page.console_errors == []
