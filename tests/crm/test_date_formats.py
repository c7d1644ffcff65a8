"""One date format per language on every page (issue 12: the dashboard and the timeline
showed ``11/30/2026 2:46 p.m.`` while other pages showed ISO dates)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.conftest import login
from tests.factories import FollowUpFactory, InteractionFactory

US_STYLE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b[ap]\.m\.")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dashboard_and_timeline_show_iso_dates_with_a_24_hour_clock(client, staff, supplier, language):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    when = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(14, 46)))
    InteractionFactory(partner=supplier, department=supplier.department, occurred_at=when, subject="Price review")
    FollowUpFactory(partner=supplier, due_on=timezone.localdate() - dt.timedelta(days=400), description="Old quote")
    staff.profile.language = language
    staff.profile.save()
    login(client, staff)
    for url in ("/", supplier.get_absolute_url()):
        page = client.get(url).content.decode()
        assert f"{yesterday.isoformat()} 14:46" in page, url
        assert not US_STYLE.search(page), (url, US_STYLE.search(page).group(0))


def test_sentences_use_each_languages_own_long_date():
    day = dt.date(2026, 11, 30)
    with translation.override("en"):
        assert date_format(day) == "30 Nov 2026"
    with translation.override("zh-hans"):
        assert date_format(day) == "2026年11月30日"
        assert date_format(day, "SHORT_DATE_FORMAT") == "2026-11-30"


def test_templates_name_a_format_instead_of_spelling_a_pattern():
    """A pattern typed in a template is the next page with its own format."""
    allowed = {"c", "Y-m", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATE_FORMAT", "DATETIME_FORMAT"}
    allowed |= {"MONTH_DAY_FORMAT", "YEAR_MONTH_FORMAT", "TIME_FORMAT", "U"}
    found = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.*"):
        for pattern in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text(encoding="utf-8")):
            if pattern not in allowed:
                found.add((str(path.relative_to(settings.BASE_DIR)), pattern))
    assert not found
