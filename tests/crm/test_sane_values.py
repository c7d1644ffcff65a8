"""One stored value never breaks a page, and no form or service stores an insane one
(issue #10 §2, §12): dates between 1900 and 2100, no control characters, no invisible
characters in names (crm/cleaning.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.calendar import calendar_token_for
from partners.models import FollowUp, Interaction, Partner
from partners.services import partner_create
from tests.factories import FollowUpFactory, InteractionFactory, PartnerFactory
from tests.partners.test_interactions import _payload

FAR_PAST = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York"])
def test_pages_and_feeds_survive_values_stored_before_the_bounds(client, settings, admin_user, staff, supplier, tz):
    settings.TIME_ZONE = tz
    old, future = InteractionFactory(partner=supplier, author=staff), InteractionFactory(partner=supplier, author=staff)
    # Written behind the guard's back, as a database restored from elsewhere would hold them.
    Interaction.objects.filter(pk=old.pk).update(occurred_at=FAR_PAST)
    Interaction.objects.filter(pk=future.pk).update(occurred_at=FAR_FUTURE)
    Partner.objects.filter(pk=supplier.pk).update(last_contacted_at=FAR_PAST)
    FollowUp.objects.filter(pk=FollowUpFactory(partner=supplier, owner=staff).pk).update(due_on=dt.date(9999, 12, 31))
    pages = [
        supplier.get_absolute_url(),
        reverse("partners:history", args=[supplier.pk]),
        reverse("partners:list"),
        reverse("partners:followups"),
        reverse("dashboard"),
        "/admin/partners/interaction/",
        f"/admin/partners/interaction/{old.pk}/change/",
        f"/admin/partners/interaction/{future.pk}/history/",
        "/admin/partners/followup/",
    ]
    for user in (admin_user, staff):
        client.force_login(user)
        for url in pages if user.is_superuser else pages[:5]:
            assert client.get(url).status_code == 200, url
    feed = client.get(reverse("calendar_feed", args=[calendar_token_for(staff).token]))
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content


@pytest.mark.parametrize("when", ["0001-01-01T10:00", "9999-12-31T23:59", "1899-12-31T12:00", "2101-01-01T00:00"])
def test_the_interaction_form_refuses_a_date_out_of_range_and_keeps_the_rest(client, staff, supplier, when):
    client.force_login(staff)
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(**{"log-occurred_at": when, "log-subject": "Kept subject"}),
    )
    page = response.content.decode()
    # A future date is refused first by the form's own rule (interactions are logged after).
    refusals = ("Enter a date between 1900-01-01 and 2100-12-31.", "plan future contacts as follow-ups")
    assert response.status_code == 200 and any(message in page for message in refusals)
    assert "Kept subject" in page
    assert not Interaction.objects.exists()


def test_the_service_refuses_what_the_form_refuses(db, staff, supplier):
    with pytest.raises(ValidationError) as refused:
        FollowUp.objects.create(partner=supplier, owner=staff, description="Later", due_on=dt.date(9999, 12, 31))
    assert "due_on" in refused.value.message_dict
    with pytest.raises(ValidationError):
        InteractionFactory(partner=supplier, author=staff, occurred_at=FAR_PAST)
    assert not FollowUp.objects.exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(max_codepoint=0x7F), min_size=1, max_size=30))
def test_control_characters_are_refused_by_form_and_model(client, staff, supplier, text):
    client.force_login(staff)
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(**{"log-subject": f"A{text}"}),
    )
    has_control = any(c < " " and c not in "\t\n\r" or c == "\x7f" for c in text)
    assert response.status_code < 500
    for stored in Interaction.objects.values_list("subject", flat=True):
        assert not any(c < " " and c not in "\t\n\r" or c == "\x7f" for c in stored), repr(stored)
    if has_control:
        with pytest.raises(ValidationError):
            InteractionFactory(partner=supplier, author=staff, subject=f"A{text}")
    Interaction.objects.all().delete()


@pytest.mark.parametrize("twin", ["Acme\u200b Components", "Acme Components\u202e", "\ufeffAcme Components"])
def test_invisible_characters_do_not_make_a_second_partner(db, staff, supplier, twin):
    with pytest.raises(Exception):  # noqa: B017 - the duplicate-name refusal of the service
        partner_create(family="supplier", data={"name": twin, "kind": "manufacturer"}, tag_names=[], created_by=staff)
    assert Partner.objects.filter(family="supplier").count() == 1


def test_a_name_keeps_its_visible_text(db, staff):
    partner = PartnerFactory(name="Beta\u200b\u202eCorp", owner=staff)
    partner.refresh_from_db()
    assert partner.name == "BetaCorp"


def test_ordinary_text_with_angle_brackets_is_stored_and_escaped(client, staff, supplier):
    client.force_login(staff)
    client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(
            **{
                "log-subject": "Drawing <Rev.B>",
                "log-summary": "From Stacy <stacy@example.com>: <script>alert(1)</script>",
            }
        ),
    )
    interaction = Interaction.objects.get()
    assert interaction.subject == "Drawing <Rev.B>"
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert "Drawing &lt;Rev.B&gt;" in page and "<script>alert(1)</script>" not in page
