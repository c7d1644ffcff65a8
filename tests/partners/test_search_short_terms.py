"""Issue #15 §1: search terms of one or two characters (most Chinese words are two) find
exactly what ``icontains`` finds, on SQLite and on PostgreSQL, where the gram indexes of
partners 0014 serve them (``crm.search``): EXPLAIN names them for a two-character Chinese term
with statistics from filler rows, no planner switch."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from crm.search import contains
from partners.models import Partner, Tag
from partners.selectors import partner_matches, partner_search
from tests.factories import ContactFactory, PartnerFactory, registry_fillers
from tests.plans import SORT_NODE, explain

GRAM_INDEXES = {"partners_partner_name_grams", "partners_contact_name_grams", "partners_tag_name_grams"}

# One, two and three or more characters; Latin in every case, Chinese, LIKE's wildcards, none.
TERMS = [
    "c",
    "C",
    "o",
    "co",
    "CO",
    "Co",
    "cO",
    "com",
    "COMPON",
    "zh",
    "ZHANG",
    "ng w",
    "精",
    "密",
    "精密",
    "密机",
    "精密机械",
    "张",
    "张伟",
    "伟",
    "战略",
    "%",
    "_",
    "5%",
    "_b",
    "a_",
    "x",
    "qz",
    "无关",
    "é",
    "É",
    "ée",
    "Ü",
]


@pytest.fixture
def world(staff):
    acme = PartnerFactory(name="Acme Components", owner=staff)
    PartnerFactory(name="华信精密机械有限公司", owner=staff)
    PartnerFactory(name="COBALT Trading", owner=staff)
    PartnerFactory(name="5% Rabatt_Büro", owner=staff)
    PartnerFactory(name="Société Générale", owner=staff)
    bolts = PartnerFactory(name="Beta Bolts", owner=staff)
    ContactFactory(partner=bolts, name="Zhang Wei")
    ContactFactory(partner=bolts, name="张伟")
    ContactFactory(partner=acme, name="Chloé Duval")
    optics = PartnerFactory(name="Gamma Optics", owner=staff)
    optics.tags.add(Tag.objects.create(name="战略 Strategic"))
    PartnerFactory(name="Unrelated Ltd", owner=staff)


def _found(term: str) -> set[str]:
    return set(partner_search(Partner.objects.all(), term).values_list("name", flat=True))


def _icontains(term: str) -> set[str]:
    """The rows today's plain ``icontains`` finds on this database."""
    q = Q(name__icontains=term) | Q(contacts__name__icontains=term) | Q(tags__name__icontains=term)
    return set(Partner.objects.filter(q).values_list("name", flat=True))


def _in_python(term: str) -> set[str]:
    """What the user expects, for terms both databases case-fold alike (ASCII, Chinese)."""
    return {
        p.name
        for p in Partner.objects.prefetch_related("contacts", "tags")
        if any(
            term.upper() in text.upper()
            for text in [p.name, *(c.name for c in p.contacts.all()), *(t.name for t in p.tags.all())]
        )
    }


@pytest.mark.parametrize("term", TERMS)
def test_the_search_finds_what_icontains_finds_for_every_length(world, term):
    assert _found(term) == _icontains(term)
    if all(ch.isascii() or ch.upper() == ch.lower() for ch in term):  # SQLite folds ASCII only
        assert _found(term) == _in_python(term)


def test_short_terms_match_latin_in_any_case_and_chinese_anywhere(world, client, staff):
    assert _found("co") == _found("CO") == {"Acme Components", "COBALT Trading"}
    assert _found("c") == {"Acme Components", "COBALT Trading", "Société Générale", "Gamma Optics"}
    assert _found("精密") == {"华信精密机械有限公司"}  # two characters, inside the name
    assert _found("密") == {"华信精密机械有限公司"}
    assert _found("张伟") == _found("伟") == {"Beta Bolts"}  # a contact's name
    assert _found("战略") == {"Gamma Optics"}  # a tag
    assert _found("_") == {"5% Rabatt_Büro"}  # a literal underscore, not LIKE's wildcard
    assert _found("qz") == set()
    client.force_login(staff)
    page = client.get(reverse("partners:list"), {"q": "精密"}).content.decode()
    assert "华信精密机械有限公司" in page and "Acme Components" not in page


def test_the_gram_indexes_serve_a_two_character_chinese_term_on_postgresql(world, staff):
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # The migration creates nothing on SQLite, where the search is icontains alone.
            names = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert not names & GRAM_INDEXES
            return
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["partners_%_grams"])
        assert {row[0] for row in cursor.fetchall()} == GRAM_INDEXES
    # Filler rows and their statistics, so the planner chooses as it would on a real registry:
    # no planner switch.
    registry_fillers(staff, names="华东贸易", contact_names="王芳")
    sql, params = partner_search(Partner.objects.all(), "精密").query.sql_with_params()
    plan = explain(sql, params)
    for index in GRAM_INDEXES:
        assert index in plan, plan
    assert "Seq Scan" not in plan, plan
    assert _found("精密") == {"华信精密机械有限公司"}
    # A term of three characters or more stays on the trigram indexes (partners 0012).
    sql, params = partner_search(Partner.objects.all(), "精密机械").query.sql_with_params()
    plan = explain(sql, params)
    assert "partners_partner_name_trgm" in plan and "_grams" not in plan, plan


def test_the_migration_drops_and_creates_the_function_and_indexes(db):
    """partners 0014's two directions, run on the test database (the whole migrate back and
    forth is in the branch's report); on SQLite both do nothing."""
    import importlib

    migration = importlib.import_module("partners.migrations.0014_search_gram_indexes")
    cases_migration = importlib.import_module("partners.cases.migrations.0011_search_gram_indexes")

    def grams() -> set[str]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_grams"])
                names = {row[0] for row in cursor.fetchall()}
                cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'rapport_grams'")
                return names | ({"rapport_grams()"} if cursor.fetchone()[0] else set())
            return {row[0] for row in cursor.execute("SELECT name FROM sqlite_master") if row[0].endswith("_grams")}

    class Editor:  # what the migrations use of a schema editor (SQLite's refuses a transaction)
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    expected = {*GRAM_INDEXES, *(name for name, _t, _c in cases_migration.INDEXES), "rapport_grams()"}
    assert grams() == (expected if connection.vendor == "postgresql" else set())
    cases_migration.drop(None, Editor())
    migration.drop(None, Editor())
    assert grams() == set()
    migration.create(None, Editor())
    cases_migration.create(None, Editor())
    assert grams() == (expected if connection.vendor == "postgresql" else set())


def test_the_gram_condition_is_added_for_two_characters_or_one_not_ascii(db):
    """One ASCII character is in most rows: a plain icontains, as before (crm.search)."""
    served = {"精密": True, "co": True, "%_": True, "鑫": True, "é": True, "c": False, "7": False, "精密机械": False}
    for term, expected in served.items():
        sql = str(Partner.objects.filter(contains("name", term)).query)
        assert ("rapport_grams" in sql) == (expected and connection.vendor == "postgresql"), (term, sql)


@pytest.mark.parametrize("term", TERMS)
def test_the_partner_by_partner_form_finds_the_same(world, term):
    """partner_search's second form (a term in many names, on PostgreSQL) tests each partner:
    it finds what the first finds, on either database."""
    tested = set(Partner.objects.filter(partner_matches(term)).values_list("name", flat=True))
    assert tested == _icontains(term)


def test_a_term_in_many_names_is_tested_partner_by_partner_in_the_lists_order(world, staff, client, settings):
    """On PostgreSQL, from RAPPORT_SEARCH_MANY names holding the term, the page is read from the
    list's own index in order and ends when it is full: no collecting and sorting of every
    match (130 ms for "co" at 100,000 partners). The count stops at the search's cap."""
    registry_fillers(staff, names="Cobalt", contact_names="王芳", n=3000)
    settings.RAPPORT_SEARCH_MANY = 2000
    settings.RAPPORT_SEARCH_COUNT_CAP = 1000
    client.force_login(staff)
    response = client.get(reverse("partners:list"), {"q": "co"})
    page = response.context["page"]
    assert page.paginator.is_capped and page.paginator.count == 1001
    assert "more than 1000 items" in response.content.decode()
    names = [row.name for row in page.object_list]
    expected = sorted(_icontains("co"))[:50]
    assert names == expected
    # A rarer term keeps the first form, and its whole count.
    response = client.get(reverse("partners:list"), {"q": "精密"})
    assert response.context["page"].paginator.count == 1 and not response.context["page"].paginator.is_capped
    if connection.vendor != "postgresql":
        return
    qs = partner_search(Partner.objects.filter(archived_at__isnull=True), "co").order_by("name", "pk")
    sql, params = qs.values("pk", "name")[:50].query.sql_with_params()
    plan = explain(sql, params)
    assert re.search(r"Index (Only )?Scan using partner_name_idx", plan), plan
    assert "SubPlan" in plan and not SORT_NODE.search(plan), plan
    sql, params = partner_search(Partner.objects.all(), "精密").query.sql_with_params()
    assert "partners_partner_name_grams" in explain(sql, params)  # the rare term: the UNION form
