"""Issue #15 §1: the registry's search matches a name, a contact's name or a tag anywhere in
the word, in any case, Chinese included, on SQLite and on PostgreSQL; on PostgreSQL the
trigram indexes of partners 0012 serve it (EXPLAIN names them)."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse

from partners.models import Partner, Tag
from partners.selectors import partner_search
from tests.factories import ContactFactory, PartnerFactory, registry_fillers
from tests.plans import explain

TRIGRAM_INDEXES = {"partners_partner_name_trgm", "partners_contact_name_trgm", "partners_tag_name_trgm"}


def _matches(term: str) -> set[str]:
    return set(partner_search(Partner.objects.all(), term).values_list("name", flat=True))


def _world(staff):
    acme = PartnerFactory(name="Acme Components", owner=staff)
    huaxin = PartnerFactory(name="华信精密机械有限公司", owner=staff)
    bolts = PartnerFactory(name="Beta Bolts", owner=staff)
    ContactFactory(partner=bolts, name="Zhang Wei")
    ContactFactory(partner=bolts, name="Zhang Min")  # two contacts match: the partner once
    optics = PartnerFactory(name="Gamma Optics", owner=staff)
    optics.tags.add(Tag.objects.create(name="Strategic"))
    return acme, huaxin, bolts, optics


def test_search_matches_names_contacts_and_tags_anywhere_in_any_case(client, staff):
    _world(staff)
    assert _matches("COMPON") == {"Acme Components"}
    assert _matches("精密") == {"华信精密机械有限公司"}  # a Chinese partial word
    assert _matches("精密机械") == {"华信精密机械有限公司"}
    assert _matches("zhang") == {"Beta Bolts"}
    assert list(partner_search(Partner.objects.all(), "zhang").values_list("name", flat=True)) == ["Beta Bolts"]
    assert _matches("rateg") == {"Gamma Optics"}
    assert _matches("co") == {"Acme Components"}  # two letters: no trigram, still found
    assert _matches("nothing like it") == set()
    client.force_login(staff)
    page = client.get(reverse("partners:list"), {"q": "精密"}).content.decode()
    assert "华信精密机械有限公司" in page and "Acme Components" not in page


def test_the_trigram_indexes_serve_the_search_on_postgresql(staff):
    _world(staff)
    if connection.vendor != "postgresql":
        # The migration creates nothing on SQLite, where the same query runs without them.
        with connection.cursor() as cursor:
            names = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not names & TRIGRAM_INDEXES
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["partners_%_trgm"])
        assert {row[0] for row in cursor.fetchall()} == TRIGRAM_INDEXES
    # Enough partners, contacts and tags that reading a B-tree index of each table whole (the
    # planner's other choice once scans are off) costs more than the trigrams, and statistics
    # that say so: with one tagged partner, the planner rightly went from the tag links to the
    # tags by primary key.
    registry_fillers(staff)
    sql, params = partner_search(Partner.objects.all(), "精密机械").query.sql_with_params()
    # Tiny test tables are cheaper to scan: ask whether the index can serve, not whether the
    # planner prefers it here.
    plan = explain(sql, params, off=("enable_seqscan",))
    for index in TRIGRAM_INDEXES:
        assert index in plan, plan
