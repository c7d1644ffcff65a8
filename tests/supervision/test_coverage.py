"""Policy coverage for a year (issue #11 §3): each measure's figure on a small known dataset,
red / amber / green against supervision's targets, drill-downs that list exactly the records
counted, a fixed number of queries whatever the data size, who reads it, and bad input."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Department
from partners.associations.models import AssociationEvent
from partners.cases.models import Case
from partners.customers.models import Gift
from partners.models import Family, Partner, Tier
from supervision import coverage
from supervision.models import CoverageTarget
from supervision.services import coverage_target_set
from tests.factories import FollowUpFactory, InteractionFactory, PartnerFactory, attended_event, department

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1
_reference = itertools.count(1)


def at(month: int, day: int, hour: int = 12, year: int = LAST_YEAR) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def registered(partner: Partner, when: dt.datetime | None = None) -> Partner:
    """Registered before the year (a partner created now is left out of last year)."""
    when = when or at(1, 1, year=LAST_YEAR - 1)
    Partner.objects.filter(pk=partner.pk).update(created_at=when)
    partner.created_at = when
    return partner


def figures(year: int = LAST_YEAR, department_id: int | None = None) -> dict[str, coverage.Figure]:
    data = coverage.coverage(year=year, department_id=department_id)
    return {figure.measure.key: figure for row in data.rows for figure in row.figures}


def case(partner: Partner, *, opened: dt.datetime, responded: dt.datetime | None, resolved: dt.datetime | None):
    return Case.objects.create(
        reference=f"C-{next(_reference):05d}",
        partner=partner,
        family=partner.family,
        department=partner.department,
        kind="issue",
        channel="email",
        status="resolved" if resolved else "in_progress",
        subject="Late parts",
        description="…",
        opened_at=opened,
        response_due_at=opened + dt.timedelta(hours=8),
        resolution_due_at=opened + dt.timedelta(days=3),
        first_response_at=responded,
        resolved_at=resolved,
    )


def gift(partner: Partner, *, given: dt.date, status: str, decided: dt.datetime | None = None, **extra) -> Gift:
    return Gift.objects.create(
        partner=partner,
        description="Mooncakes",
        value=Decimal("800"),
        date=given,
        recorded_by=partner.owner,
        status=status,
        decided_by=partner.owner if decided else None,
        decided_at=decided,
        **extra,
    )


# --- Each measure on a known dataset -----------------------------------------------------


def test_followups_done_by_their_due_date_by_department(staff, staff_sales):
    ours = PartnerFactory(owner=staff)
    theirs = PartnerFactory(owner=staff_sales, department=department("sales"), family="customer")
    FollowUpFactory(partner=ours, due_on=dt.date(LAST_YEAR, 3, 10), done_at=at(3, 9))  # on time
    FollowUpFactory(partner=ours, due_on=dt.date(LAST_YEAR, 3, 10), done_at=at(3, 12))  # late
    FollowUpFactory(partner=ours, due_on=dt.date(LAST_YEAR, 4, 1))  # never done
    FollowUpFactory(partner=ours, due_on=dt.date(LAST_YEAR - 1, 12, 31), done_at=at(1, 5))  # another year
    FollowUpFactory(partner=theirs, due_on=dt.date(LAST_YEAR, 3, 1), done_at=at(3, 1, hour=23))  # the same day

    assert (figures()["followups_on_time"].passed, figures()["followups_on_time"].counted) == (2, 4)
    assert figures()["followups_on_time"].percent == Decimal("50.0")
    procurement = figures(department_id=department("procurement").pk)["followups_on_time"]
    assert (procurement.passed, procurement.counted, procurement.percent) == (1, 3, Decimal("33.3"))
    assert figures(department_id=department("sales").pk)["followups_on_time"].percent == Decimal("100.0")


def test_gifts_approved_by_the_day_they_were_given(staff):
    partner = PartnerFactory(owner=staff, family="customer")
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="approved", decided=at(9, 9))  # approved before
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="approved", decided=at(9, 10, hour=20))  # that day
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="approved", decided=at(9, 11))  # after
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="pending")
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="not_required")  # below the threshold
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="approved", decided=at(9, 9), direction="received")

    figure = figures()["gifts_approved"]
    assert (figure.passed, figure.counted, figure.percent) == (2, 4, Decimal("50.0"))


def test_key_and_important_partners_contacted_within_their_cadence(staff, settings):
    settings.RAPPORT_STALE_CONTACT_DAYS = 30
    recent = registered(PartnerFactory(owner=staff, tier=Tier.KEY))
    InteractionFactory(partner=recent, occurred_at=at(12, 20))
    stale = registered(PartnerFactory(owner=staff, tier=Tier.IMPORTANT))
    InteractionFactory(partner=stale, occurred_at=at(10, 1))
    later = registered(PartnerFactory(owner=staff, tier=Tier.KEY))  # contacted only this year
    InteractionFactory(partner=later, occurred_at=at(1, 5, year=LAST_YEAR + 1))
    registered(PartnerFactory(owner=staff, tier=Tier.NORMAL))  # no cadence counted
    PartnerFactory(owner=staff, tier=Tier.KEY)  # registered this year: not in last year's figures
    registered(PartnerFactory(owner=staff, tier=Tier.KEY, status="candidate"))

    figure = figures()["contact_cadence"]
    assert (figure.passed, figure.counted, figure.percent) == (1, 3, Decimal("33.3"))


def test_preferences_recorded(staff):
    registered(PartnerFactory(owner=staff, preferred_language="zh-hans"))
    registered(PartnerFactory(owner=staff, preferred_channel="wechat"))
    registered(PartnerFactory(owner=staff))
    registered(PartnerFactory(owner=staff, status="terminated"))

    figure = figures()["preferences_recorded"]
    assert (figure.passed, figure.counted) == (2, 3)


def test_cases_within_their_deadlines_by_family(staff):
    supplier = PartnerFactory(owner=staff)
    customer = PartnerFactory(owner=staff, family="customer")
    opened = at(5, 4, hour=9)
    case(supplier, opened=opened, responded=opened + dt.timedelta(hours=1), resolved=opened + dt.timedelta(days=1))
    case(supplier, opened=opened, responded=opened + dt.timedelta(hours=9), resolved=opened + dt.timedelta(days=1))
    case(supplier, opened=opened, responded=opened + dt.timedelta(hours=1), resolved=None)  # open, breached now
    case(customer, opened=opened, responded=opened + dt.timedelta(hours=1), resolved=opened + dt.timedelta(days=4))
    case(customer, opened=opened, responded=opened + dt.timedelta(hours=1), resolved=opened + dt.timedelta(days=2))

    found = figures()
    assert (found["supplier_cases"].passed, found["supplier_cases"].counted) == (1, 3)
    assert (found["customer_cases"].passed, found["customer_cases"].counted) == (1, 2)


def test_interactions_with_partners_and_associations_are_counted(staff):
    ally = PartnerFactory(owner=staff, family=Family.PARTNER)
    association = PartnerFactory(owner=staff, family=Family.ASSOCIATION)
    InteractionFactory(partner=ally, occurred_at=at(2, 2))
    InteractionFactory(partner=association, occurred_at=at(2, 2), kind="event")
    InteractionFactory(partner=association, occurred_at=at(2, 3))
    InteractionFactory(partner=association, occurred_at=at(2, 3, year=LAST_YEAR + 1))

    found = figures()
    assert found["partner_interactions"].counted == 1
    assert found["association_events"].counted == 1
    assert found["association_interactions"].counted == 2
    assert found["association_interactions"].percent is None  # a count, no rate


def test_association_events_attended_count_exactly_their_records_by_department(client, supervisor, staff, staff_sales):
    """An event recorded on the association's page counts in its recorder's department when
    one of our people attended it, in the year it started (P4.4.1)."""
    association = PartnerFactory(owner=staff, family=Family.ASSOCIATION, name="Chamber")

    def event(topic: str, day: dt.date, recorder, attendees) -> AssociationEvent:
        return attended_event(association, topic, day, recorder, attendees)

    event("Tariffs", dt.date(LAST_YEAR, 3, 1), staff, [staff, staff_sales])
    event("Standards", dt.date(LAST_YEAR, 4, 1), staff_sales, [staff_sales])
    event("Nobody went", dt.date(LAST_YEAR, 5, 1), staff, [])
    event("Year before", dt.date(LAST_YEAR - 1, 12, 31), staff, [staff])
    procurement, sales = staff.profile.department_id, staff_sales.profile.department_id

    data = coverage.coverage(year=LAST_YEAR)
    found = {f.measure.key: f for row in data.rows for f in row.figures}
    attended = found["association_events_attended"]
    assert (attended.measure.clause, attended.counted, attended.percent) == ("P4.4.1", 2, None)
    by_department = data.by_department["association_events_attended"]
    assert (by_department[procurement].counted, by_department[sales].counted) == (1, 1)
    assert figures(department_id=sales)["association_events_attended"].counted == 1
    client.force_login(supervisor)
    labels, n = _listed(client, "association_events_attended", year=LAST_YEAR)
    assert labels == ["Chamber: Standards", "Chamber: Tariffs"] and n == 2
    assert _listed(client, "association_events_attended", year=LAST_YEAR, department=procurement) == (
        ["Chamber: Tariffs"],
        1,
    )
    page = client.get(reverse("supervision:coverage"), {"year": LAST_YEAR}).content.decode()
    assert 'id="measure-association_events_attended"' in page
    drill = client.get(
        reverse("supervision:coverage_measure", args=["association_events_attended"]), {"year": LAST_YEAR}
    ).content.decode()
    assert association.get_absolute_url() + "#assoc-events" in drill


def test_every_clause_is_measured_now(client, supervisor):
    """Issue #13 gave the last two clauses their records: agreements (P4.3.2) and industry
    reports (P4.4.3). A clause without a measure would show "Not measured" and its reason."""
    rows = {row.clause.code: row for row in coverage.coverage(year=LAST_YEAR).rows}
    assert list(rows)[0] == "P3.1" and list(rows)[-1] == "P4.4.3"
    assert [code for code, row in rows.items() if not row.figures or row.note] == []
    client.force_login(supervisor)
    page = client.get(reverse("supervision:coverage")).content.decode()
    assert "Not measured" not in page


# --- Red / amber / green -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "expected"),
    [("90.0", "green"), ("95.0", "green"), ("89.9", "amber"), ("85.0", "amber"), ("84.9", "red"), (None, "")],
)
def test_rag_against_a_target_of_90_with_a_margin_of_5(percent, expected):
    assert coverage.rag_for(Decimal(percent) if percent else None, Decimal("90"), Decimal("5")) == expected


def test_no_target_no_colour():
    assert coverage.rag_for(Decimal("10"), None, None) == ""


def test_page_colours_each_figure_against_its_target(client, supervisor, staff):
    partner = PartnerFactory(owner=staff)
    FollowUpFactory(partner=partner, due_on=dt.date(LAST_YEAR, 3, 10), done_at=at(3, 9))
    FollowUpFactory(partner=partner, due_on=dt.date(LAST_YEAR, 3, 10))  # 50 %
    gift(partner, given=dt.date(LAST_YEAR, 9, 10), status="approved", decided=at(9, 9))  # 100 %
    coverage_target_set(measure="followups_on_time", target=Decimal("52"), amber_margin=Decimal("5"), by=supervisor)
    coverage_target_set(measure="gifts_approved", target=Decimal("100"), amber_margin=Decimal("0"), by=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("supervision:coverage"), {"year": LAST_YEAR}).content.decode()
    followups = page[page.index('id="measure-followups_on_time"') :]
    assert 'badge coverage-amber">Near target' in followups[: followups.index("</tr>")]
    gifts = page[page.index('id="measure-gifts_approved"') :]
    assert 'badge coverage-green">On target' in gifts[: gifts.index("</tr>")]
    coverage_target_set(measure="followups_on_time", target=Decimal("80"), amber_margin=Decimal("5"), by=supervisor)
    assert figures()["followups_on_time"].rag == "red"


def test_the_page_counts_once_a_minute_for_everyone_and_reads_targets_live(client, supervisor, staff):
    """The figures are the same for every reader of a year and scope: counted once, kept in
    the shared cache for a minute, and the page says when they were counted. Targets are read
    each time; the annual report never takes cached figures."""
    partner = registered(PartnerFactory(owner=staff))
    FollowUpFactory(partner=partner, due_on=dt.date(LAST_YEAR, 3, 10), done_at=at(3, 9))
    url = reverse("supervision:coverage") + f"?year={LAST_YEAR}"
    client.force_login(supervisor)

    def followups_row() -> str:
        page = client.get(url).content.decode()
        assert 'id="counted-at">Counted at ' in page
        row = page[page.index('id="measure-followups_on_time"') :]
        return row[: row.index("</tr>")]

    assert "1 of 1" in followups_row()
    FollowUpFactory(partner=partner, due_on=dt.date(LAST_YEAR, 3, 10))  # the second one, late
    with CaptureQueriesContext(connection) as ctx:
        assert "1 of 1" in followups_row()  # counted less than a minute ago
    assert not any("UNION ALL" in q["sql"] for q in ctx.captured_queries)
    assert figures()["followups_on_time"].counted == 2  # counted afresh, as the annual report does
    coverage_target_set(measure="followups_on_time", target=Decimal("90"), amber_margin=Decimal("5"), by=supervisor)
    assert "coverage-green" in followups_row()  # the new target, on the cached figures
    cache.delete(coverage.figures_key(LAST_YEAR, None))  # a minute on
    row = followups_row()
    assert "1 of 2" in row and "coverage-red" in row


# --- Drill-downs ---------------------------------------------------------------------------


def _listed(client, key: str, **params) -> list[str]:
    response = client.get(reverse("supervision:coverage_measure", args=[key]), params)
    assert response.status_code == 200
    return [row.label for row in response.context["rows"]], response.context["page"].paginator.count


def test_drill_down_lists_the_records_counted_failed_first(client, supervisor, staff):
    partner = PartnerFactory(owner=staff, name="Acme")
    FollowUpFactory(partner=partner, description="on time", due_on=dt.date(LAST_YEAR, 3, 10), done_at=at(3, 9))
    FollowUpFactory(partner=partner, description="late", due_on=dt.date(LAST_YEAR, 3, 10), done_at=at(3, 12))
    FollowUpFactory(partner=partner, description="elsewhen", due_on=dt.date(LAST_YEAR - 1, 3, 10))
    client.force_login(supervisor)
    labels, n = _listed(client, "followups_on_time", year=LAST_YEAR)
    assert labels == ["Acme: late", "Acme: on time"] and n == 2
    assert _listed(client, "followups_on_time", year=LAST_YEAR, outcome="failed")[0] == ["Acme: late"]
    assert _listed(client, "followups_on_time", year=LAST_YEAR, outcome="passed")[0] == ["Acme: on time"]
    page = client.get(reverse("supervision:coverage_measure", args=["followups_on_time"]), {"year": LAST_YEAR})
    assert partner.get_absolute_url() in page.content.decode()


def test_every_figure_drills_down_to_exactly_its_records(client, supervisor, seed_demo, settings):
    """On the demo data, for every measure and for one department: the drill-down's records
    are as many as the figure counts, and its failed ones as many as it fails."""
    seed_demo(partners=30, interactions=150)
    settings.RAPPORT_PAGE_SIZE = 1000
    client.force_login(supervisor)
    year = timezone.localdate().year
    procurement = Department.objects.get(code="procurement").pk
    for department_id in (None, procurement):
        found = figures(year, department_id)
        scope = {"year": year, **({"department": department_id} if department_id else {})}
        counted = 0
        for key, figure in found.items():
            _labels, n = _listed(client, key, **scope)
            assert n == figure.counted, key
            counted += n
            if figure.measure.is_rate:
                assert _listed(client, key, outcome="failed", **scope)[1] == figure.failed, key
        assert counted > 0


# --- A fixed number of queries -------------------------------------------------------------


def _queries(client, url: str) -> int:
    cache.clear()  # nothing cached yet: the bell counted too (crm.notifications)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_data(n: int, staff, staff_sales) -> None:
    for i in range(n):
        owner, dept = (staff, "procurement") if i % 2 else (staff_sales, "sales")
        partner = registered(PartnerFactory(owner=owner, department=department(dept), tier=1 + i % 3))
        InteractionFactory(partner=partner, occurred_at=at(6, 1 + i % 28))
        FollowUpFactory(partner=partner, due_on=dt.date(LAST_YEAR, 5, 1 + i % 28), done_at=at(5, 2))
        gift(partner, given=dt.date(LAST_YEAR, 7, 1), status="pending")
        case(partner, opened=at(8, 1), responded=at(8, 1, hour=13), resolved=at(8, 2))


def test_coverage_page_runs_a_fixed_number_of_queries(client, supervisor, manager, staff, staff_sales):
    coverage_target_set(measure="followups_on_time", target=Decimal("90"), amber_margin=Decimal("5"), by=supervisor)
    url = reverse("supervision:coverage") + f"?year={LAST_YEAR}"
    _more_data(3, staff, staff_sales)
    client.force_login(supervisor)
    small = _queries(client, url)
    client.force_login(manager)
    small_manager = _queries(client, url)
    _more_data(40, staff, staff_sales)
    client.force_login(supervisor)
    assert _queries(client, url) == small
    client.force_login(manager)
    assert _queries(client, url) == small_manager


def test_coverage_page_stays_within_15_queries(
    client, supervisor, manager, staff, staff_sales, django_assert_max_num_queries
):
    _more_data(10, staff, staff_sales)
    for user in (supervisor, manager):
        client.force_login(user)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("supervision:coverage"), {"year": LAST_YEAR}).status_code == 200


def test_drill_down_runs_a_fixed_number_of_queries(client, supervisor, staff, staff_sales):
    url = reverse("supervision:coverage_measure", args=["followups_on_time"]) + f"?year={LAST_YEAR}"
    _more_data(3, staff, staff_sales)
    client.force_login(supervisor)
    small = _queries(client, url)
    _more_data(20, staff, staff_sales)
    assert _queries(client, url) == small


# --- Who reads it --------------------------------------------------------------------------


def test_manager_reads_only_their_own_department(client, manager, staff, staff_sales):
    _more_data(4, staff, staff_sales)
    client.force_login(manager)
    response = client.get(reverse("supervision:coverage"), {"year": LAST_YEAR})
    assert response.status_code == 200
    assert response.context["department_id"] == department("procurement").pk
    assert 'id="coverage-by-department"' not in response.content.decode()
    assert 'name="department"' not in response.content.decode()
    own = figures(department_id=department("procurement").pk)["followups_on_time"]
    shown = {f.measure.key: f for row in response.context["data"].rows for f in row.figures}["followups_on_time"]
    assert (shown.passed, shown.counted) == (own.passed, own.counted) == (2, 2)
    other = {"year": LAST_YEAR, "department": department("sales").pk}
    assert client.get(reverse("supervision:coverage"), other).status_code == 403
    assert client.get(reverse("supervision:coverage_measure", args=["followups_on_time"]), other).status_code == 403
    assert client.get(reverse("supervision:coverage_targets")).status_code == 403


def test_drill_down_of_a_manager_lists_only_their_department(client, manager, staff, staff_sales):
    _more_data(4, staff, staff_sales)
    client.force_login(manager)
    response = client.get(reverse("supervision:coverage_measure", args=["followups_on_time"]), {"year": LAST_YEAR})
    assert {row.department for row in response.context["rows"]} == {"Procurement"}


def test_staff_do_not_read_coverage(client, staff):
    client.force_login(staff)
    assert client.get(reverse("supervision:coverage")).status_code == 403
    assert client.get(reverse("supervision:coverage_measure", args=["gifts_approved"])).status_code == 403


def test_supervisor_filters_a_department(client, supervisor, staff, staff_sales):
    _more_data(4, staff, staff_sales)
    client.force_login(supervisor)
    response = client.get(reverse("supervision:coverage"), {"year": LAST_YEAR, "department": department("sales").pk})
    assert response.context["department_name"] == "Sales"
    assert 'id="coverage-by-department"' not in response.content.decode()
    everyone = client.get(reverse("supervision:coverage"), {"year": LAST_YEAR})
    assert 'id="coverage-by-department"' in everyone.content.decode()


def test_coverage_is_linked_from_the_supervision_home_and_the_menu(client, supervisor, manager):
    client.force_login(supervisor)
    home = client.get(reverse("supervision:home")).content.decode()
    assert home.count(f'href="{reverse("supervision:coverage")}"') == 2  # the menu and the page
    client.force_login(manager)
    assert f'href="{reverse("supervision:coverage")}"' in client.get(reverse("dashboard")).content.decode()


# --- Targets ---------------------------------------------------------------------------


def test_supervisor_sets_a_target_with_history(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:coverage_target_edit", args=["followups_on_time"])
    response = client.post(url, {"target": "90", "amber_margin": "5"})
    assert response.status_code == 302
    target = CoverageTarget.objects.get(measure="followups_on_time")
    assert (target.target, target.amber_margin, target.updated_by) == (Decimal("90"), Decimal("5"), supervisor)
    form = client.get(url).context["form"]
    response = client.post(url, {"target": "95", "amber_margin": "2", "version": form["version"].value()})
    assert response.status_code == 302
    assert CoverageTarget.history.filter(measure="followups_on_time").count() == 2
    page = client.get(reverse("supervision:coverage_targets")).content.decode()
    assert 'id="target-history"' in page and "95 %" in page and "90 %" in page


def test_a_target_of_150_percent_is_refused_next_to_the_field(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:coverage_target_edit", args=["followups_on_time"])
    response = client.post(url, {"target": "150", "amber_margin": "5"})
    assert response.status_code == 200
    assert response.context["form"].errors["target"] == ["Ensure this value is less than or equal to 100."]
    assert not CoverageTarget.objects.exists()


def test_targets_only_on_percentages_and_known_measures(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("supervision:coverage_target_edit", args=["partner_interactions"])).status_code == 404
    assert client.get(reverse("supervision:coverage_target_edit", args=["nonsense"])).status_code == 404


def test_a_stale_target_form_is_refused(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:coverage_target_edit", args=["gifts_approved"])
    coverage_target_set(measure="gifts_approved", target=Decimal("90"), amber_margin=Decimal("5"), by=supervisor)
    version = client.get(url).context["form"]["version"].value()
    coverage_target_set(measure="gifts_approved", target=Decimal("80"), amber_margin=Decimal("5"), by=supervisor)
    response = client.post(url, {"target": "70", "amber_margin": "5", "version": version})
    assert response.status_code == 200
    assert CoverageTarget.objects.get(measure="gifts_approved").target == Decimal("80")


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["1999", "3000", "abc", "-1", "2025x", "9" * 30])
def test_a_year_out_of_range_shows_this_year_with_a_message(client, supervisor, year):
    client.force_login(supervisor)
    for url in (reverse("supervision:coverage"), reverse("supervision:coverage_measure", args=["gifts_approved"])):
        response = client.get(url, {"year": year})
        assert response.status_code == 200
        assert response.context["year"] == timezone.localdate().year
        assert "There are no figures for the year" in [str(m) for m in response.context["messages"]][0]


def test_a_future_year_is_refused_but_last_year_is_fine(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:coverage"), {"year": timezone.localdate().year + 1})
    assert response.context["year"] == timezone.localdate().year
    response = client.get(reverse("supervision:coverage"), {"year": LAST_YEAR})
    assert response.context["year"] == LAST_YEAR and not list(response.context["messages"])


def test_an_unknown_department_or_measure(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("supervision:coverage"), {"department": "99999"}).status_code == 404
    assert client.get(reverse("supervision:coverage"), {"department": "sales"}).status_code == 200  # ignored
    assert client.get(reverse("supervision:coverage_measure", args=["nonsense"])).status_code == 404
    response = client.get(reverse("supervision:coverage_measure", args=["gifts_approved"]), {"outcome": "maybe"})
    assert response.status_code == 200 and response.context["outcome"] == ""
