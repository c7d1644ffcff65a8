"""Issue #15 §2: a list counts its rows up to a cap, not the whole filtered table on every
page view; past the cap it says "more than N" and still pages (crm.lists.CappedPaginator)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PartnerFactory


def test_a_list_counts_up_to_the_cap_and_says_more_than(client, staff, settings):
    settings.RAPPORT_PAGE_SIZE = 2
    settings.RAPPORT_LIST_COUNT_CAP = 5
    for n in range(8):
        PartnerFactory(name=f"Capped {n}", owner=staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("partners:list")).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "partners_partner" in q["sql"] and "COUNT(*)" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 6" in counts[0], counts
    assert 'id="count-capped"' in page and "more than 5 items" in page
    assert "page=4" not in page  # no link to a last page it has not counted
    third = client.get(reverse("partners:list"), {"page": 3}).content.decode()
    assert "Capped 4" in third and "Capped 5" in third and "Capped 3" not in third

    settings.RAPPORT_LIST_COUNT_CAP = 100
    page = client.get(reverse("partners:list")).content.decode()
    assert 'id="count-capped"' not in page and "Page 1 of 4 · 8 items" in page
    cases = client.get(reverse("cases:case_list")).status_code
    assert cases == 200
