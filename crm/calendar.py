"""Each user's private iCalendar feed (RFC 5545): follow-ups and, later, evaluation due dates."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from .models import CalendarToken


def calendar_token_for(user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return token


@transaction.atomic
def calendar_token_rotate(*, user) -> CalendarToken:
    """Revoke the old URL: it stops working at once."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))


# Extra event sources (e.g. evaluations due) register here: callables (user) -> iterable of
# (uid, date, summary, description, url).
CALENDAR_SOURCES: list = []


def calendar_feed(*, user) -> bytes:
    from partners.models import FollowUp

    cal = Calendar()
    cal.add("prodid", "-//Rapport//Business relationship maintenance//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Rapport")
    base = settings.RAPPORT_BASE_URL.rstrip("/")
    stamp = timezone.now()
    since = timezone.localdate() - dt.timedelta(days=90)
    items = []
    for f in (
        FollowUp.objects.filter(owner=user, due_on__gte=since).select_related("partner").order_by("due_on", "pk")[:2000]
    ):
        summary = f"{'✓ ' if f.done_at else ''}{f.description} — {f.partner.name}"
        items.append(
            (f"followup-{f.pk}@rapport", f.due_on, summary, f.description, base + f.partner.get_absolute_url())
        )
    for source in CALENDAR_SOURCES:
        items.extend(source(user))
    for uid, day, summary, description, url in items:
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
