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
    # "Next" goes on past the counted rows: each such page reads one row more than it shows.
    assert "page=4" in third and "page=5" not in third
    fourth = client.get(reverse("partners:list"), {"page": 4}).content.decode()
    assert "Capped 6" in fourth and "Capped 7" in fourth and "page=5" not in fourth and "page=3" in fourth
    past_the_end = client.get(reverse("partners:list"), {"page": 9}).content.decode()
    assert "Capped 4" in past_the_end and "Capped 6" not in past_the_end  # its last counted page

    settings.RAPPORT_LIST_COUNT_CAP = 100
    page = client.get(reverse("partners:list")).content.decode()
    assert 'id="count-capped"' not in page and "Page 1 of 4 · 8 items" in page
    cases = client.get(reverse("cases:case_list")).status_code
    assert cases == 200


def test_a_search_reads_its_count_and_its_pages_ids_in_one_query(client, staff, settings):
    """A searched list (partners, cases) reads the ids of its matches up to the search's cap, in
    the list's order, once: the count and the page's ids come from that read (no COUNT query,
    no second run of the search), then the page's rows by id."""
    settings.RAPPORT_PAGE_SIZE = 2
    settings.RAPPORT_SEARCH_COUNT_CAP = 4
    for n in range(6):
        PartnerFactory(name=f"Deferred {n}", owner=staff)
    PartnerFactory(name="Elsewhere", owner=staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("partners:list"), {"q": "deferred", "page": 2}).content.decode()
    sqls = [q["sql"] for q in queries.captured_queries if 'FROM "partners_partner"' in q["sql"]]
    assert not [sql for sql in sqls if sql.startswith("SELECT COUNT(*)") and "LIMIT 5" in sql], sqls
    ids = [sql for sql in sqls if "LIMIT 5" in sql]
    assert len(ids) == 1 and "ORDER BY" in ids[0], sqls
    rows = [sql for sql in sqls if 'WHERE "partners_partner"."id" IN (' in sql]
    assert len(rows) == 1 and "LIKE" not in rows[0], sqls  # the page's rows by id: no search again
    assert "Deferred 2" in page and "Deferred 3" in page and "Deferred 1" not in page and "Deferred 4" not in page
    assert 'id="count-capped"' in page and "more than 4 items" in page
    last = client.get(reverse("partners:list"), {"q": "deferred", "page": 3}).content.decode()
    assert "Deferred 4" in last and "Elsewhere" not in last  # the cap's extra row ends the pages

    settings.RAPPORT_SEARCH_COUNT_CAP = 100
    page = client.get(reverse("partners:list"), {"q": "deferred"}).content.decode()
    assert "Page 1 of 3 · 6 items" in page and "Deferred 0" in page and "Deferred 2" not in page
