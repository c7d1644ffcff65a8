"""Each user's private iCalendar feed (RFC 5545): what the apps register in CALENDAR_SOURCES
(follow-ups, evaluations due, care occasions)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from .cleaning import date_problem
from .models import CalendarToken


def calendar_token_for(user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return token


@transaction.atomic
def calendar_token_rotate(*, user) -> CalendarToken:
    """Revoke the old URL: it stops working at once."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))


# Event sources register here from their AppConfig.ready(): callables (user) -> iterable of
# (uid, date, summary, description, url).
CALENDAR_SOURCES: list = []


def calendar_feed(*, user) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Rapport//Business relationship maintenance//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Rapport")
    stamp = timezone.now()
    items = []
    for source in CALENDAR_SOURCES:
        items.extend(source(user))
    for uid, day, summary, description, url in items:
        if date_problem(day):  # stored before the bounds existed: leave it out, keep the feed
            continue
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
