"""What every page reads the same way for everyone, read once (issue #15 §3): the user's roles
come with the user, and the filter bars' owners, departments and tags are kept until one of
their tables changes (crm.option_lists)."""

from __future__ import annotations

import django_filters
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from crm import option_lists, roles
from partners.models import Tag
from tests.conftest import login
from tests.factories import UserFactory, department

pytestmark = pytest.mark.django_db


def _options(client, name: str) -> list[str]:
    """The labels of the partner list's select ``name``, as the page shows them."""
    response = client.get(reverse("partners:list"))
    assert response.status_code == 200
    select = next(s for s in response.context["selects"] if s["name"] == name)
    return [label for _value, label, _selected in select["options"]]


def _tables_read(client, url: str) -> str:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return " ".join(q["sql"] for q in ctx.captured_queries)


def test_a_page_reads_the_users_roles_with_the_user(client, staff, supplier):
    login(client, staff)
    sql = _tables_read(client, reverse("partners:detail", args=[supplier.pk]))
    assert sql.count('"auth_user_groups"') == sql.count("EXISTS") == 3  # folded into the user's query
    assert 'FROM "auth_group"' not in sql
    response = client.get(reverse("partners:list"))
    assert response.context["user"]._rapport_roles == frozenset({roles.STAFF})


def test_roles_taken_away_are_gone_on_the_next_page(client, staff, supplier):
    login(client, staff)
    assert client.get(reverse("partners:detail", args=[supplier.pk])).status_code == 200
    staff.groups.clear()
    assert client.get(reverse("partners:detail", args=[supplier.pk])).status_code == 403


def test_the_filter_bar_is_read_once_and_again_after_a_change(client, staff, supplier):
    login(client, staff)
    assert "Zeta tag" not in _options(client, "tag")
    sql = _tables_read(client, reverse("partners:list"))
    assert 'FROM "partners_tag"' not in sql  # the rows' tags are read from their join table
    assert 'FROM "crm_department"' not in sql
    assert "DISTINCT" not in sql  # the owners (active colleagues)

    Tag.objects.create(name="Zeta tag")
    colleague = UserFactory(username="newcomer", first_name="Nora", last_name="Newcomer", role="Staff")
    purchasing = department("procurement")
    purchasing.name = "Purchasing"
    purchasing.save()
    assert "Zeta tag" in _options(client, "tag")
    assert "Nora Newcomer" in _options(client, "owner")
    assert "Purchasing" in _options(client, "department")

    colleague.groups.remove(Group.objects.get(name=roles.STAFF))  # no role: owns nothing
    assert "Nora Newcomer" not in _options(client, "owner")
    Tag.objects.filter(name="Zeta tag").delete()  # a queryset delete sends post_delete too
    assert "Zeta tag" not in _options(client, "tag")


def test_the_lists_follow_the_language(client, staff, supplier):
    login(client, staff)
    assert "All partners" not in _options(client, "owner")  # warm in English
    client.cookies["django_language"] = "zh-hans"
    sales = department("sales")
    sales.name_zh = "销售部"
    sales.save()
    assert "销售部" in _options(client, "department")


def test_a_write_without_signals_is_seen_within_the_max_age(client, staff, supplier, monkeypatch):
    login(client, staff)
    assert "Bulk tag" not in _options(client, "tag")
    Tag.objects.bulk_create([Tag(name="Bulk tag")])  # no post_save
    assert "Bulk tag" not in _options(client, "tag")
    monkeypatch.setattr(option_lists, "MAX_AGE", 0)
    assert "Bulk tag" in _options(client, "tag")


def _filtersets(cls=django_filters.FilterSet):
    for sub in cls.__subclasses__():
        yield sub
        yield from _filtersets(sub)


def test_every_filter_bars_model_select_reads_watched_tables():
    """A select whose tables no app watches (``option_lists.watch``) would be read afresh on
    every page: name its models in the owning app's ``ready``."""
    get_resolver().url_patterns  # noqa: B018 - imports every view, so every filter set
    checked = []
    for filterset in set(_filtersets()):
        if filterset.__module__.split(".")[0] not in {"crm", "partners", "evaluations", "supervision"}:
            continue
        for name, flt in filterset.base_filters.items():
            if isinstance(flt, django_filters.ModelChoiceFilter):
                checked.append(f"{filterset.__qualname__}.{name}")
                assert option_lists.unwatched_tables(flt.field) == set(), checked[-1]
    assert {"PartnerFilter.owner", "PartnerFilter.tag", "CaseFilter.assignee", "ProjectFilter.partner"} <= set(checked)


def _menu(client) -> str:
    page = client.get(reverse("partners:list")).content.decode()
    return page[page.index('<ul class="navbar-nav me-auto">') : page.index('id="language-form"')]


def test_the_menus_are_each_roles_own_in_each_language(client, staff, manager, supervisor, admin_user):
    """The menus are rendered once per roles and language (crm.templatetags.fixed_urls): nobody
    gets a menu kept for somebody else, nor for another language."""
    coverage, plans, admin = (reverse(n) for n in ("supervision:coverage", "supervision:plan_list", "admin:index"))
    seen = {}
    for user in (staff, manager, supervisor, admin_user, staff):
        login(client, user)
        for language in ("en", "zh-hans"):
            client.cookies["django_language"] = language
            seen[user.username, language] = _menu(client)
    assert seen["staff", "en"].count("href=") == 30
    for user, links in {"staff": set(), "manager": {coverage}, "supervisor": {coverage, plans}}.items():
        for href in (coverage, plans, admin):
            assert (f'href="{href}"' in seen[user, "en"]) is (href in links), (user, href)
    assert all(f'href="{h}"' in seen["admin", "en"] for h in (coverage, plans, admin))
    assert "Corrective actions" in seen["staff", "en"] and "整改措施" in seen["staff", "zh-hans"]
    assert "Corrective actions" not in seen["staff", "zh-hans"]


def test_the_action_lists_kinds_of_source_are_read_once_and_again_after_a_change(client, staff, manager, supplier):
    """The corrective-action list's "Raised by" select: the kinds of record that raised actions,
    kept until an action is saved (crm.filters.source_kinds, option_lists.computed)."""
    from crm import services

    def raise_for(source):
        services.corrective_action_raise(
            source=source,
            description="Fix the packaging line",
            department=supplier.department,
            owner=staff,
            due_on=timezone.localdate(),
            by=manager,
        )

    raise_for(supplier)
    login(client, staff)
    url = reverse("corrective_actions")
    page = client.get(url).content.decode()
    assert ">Partner</option>" in page and ">Tag</option>" not in page
    assert 'FROM "django_content_type"' not in _tables_read(client, url)  # kept
    raise_for(Tag.objects.create(name="Zeta tag"))  # any record may raise one
    page = client.get(url).content.decode()
    assert ">Partner</option>" in page and ">Tag</option>" in page
