"""Interaction log (P3.3, P4.1.2): quick-log with htmx, full-page fallback, follow-ups."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from partners.models import FollowUp, Interaction
from tests.factories import ContactFactory, FollowUpFactory, PartnerFactory


def _payload(**overrides):
    data = {
        "log-kind": "meeting",
        "log-occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "log-subject": "Quarterly review",
        "log-summary": "Capacity and quality",
        "log-outcome": "",
        "log-fu-TOTAL_FORMS": "1",
        "log-fu-INITIAL_FORMS": "0",
        "log-fu-MIN_NUM_FORMS": "0",
        "log-fu-MAX_NUM_FORMS": "10",
        "log-fu-0-description": "",
        "log-fu-0-owner": "",
        "log-fu-0-due_on": "",
    }
    data.update(overrides)
    return data


def test_full_page_fallback_logs_and_redirects_to_timeline(client, staff, supplier):
    contact = ContactFactory(partner=supplier, name="Zhang Wei")
    client.force_login(staff)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(
            **{
                "log-contacts": [contact.pk],
                "log-participants": [staff.pk],
                "log-fu-0-description": "Send the forecast",
                "log-fu-0-owner": str(staff.pk),
                "log-fu-0-due_on": due,
            }
        ),
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert response["Location"] == f"{supplier.get_absolute_url()}?logged={interaction.pk}#interaction-{interaction.pk}"
    assert interaction.author == staff
    assert interaction.department.code == "procurement"
    assert list(interaction.contacts.all()) == [contact]
    followup = FollowUp.objects.get()
    assert (followup.owner, followup.due_on.isoformat(), followup.partner) == (staff, due, supplier)
    supplier.refresh_from_db()
    assert supplier.last_contacted_at == interaction.occurred_at
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert "Quarterly review" in page and "Send the forecast" in page


def test_htmx_quicklog_answers_with_redirect_header(client, staff, supplier):
    client.force_login(staff)
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]), _payload(), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    interaction = Interaction.objects.get()
    assert (
        response["HX-Redirect"] == f"{supplier.get_absolute_url()}?logged={interaction.pk}#interaction-{interaction.pk}"
    )
    assert FollowUp.objects.count() == 0  # the empty follow-up row is ignored


def test_htmx_quicklog_errors_return_the_form_fragment(client, staff, supplier):
    client.force_login(staff)
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(**{"log-subject": "", "log-fu-0-description": "Call back"}),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count("This field is required.") >= 3  # subject, follow-up owner and due date
    assert 'value="Call back"' in body
    assert not Interaction.objects.exists()


def test_followup_due_before_interaction_is_refused(client, staff, supplier):
    client.force_login(staff)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(
            **{
                "log-fu-0-description": "Too late",
                "log-fu-0-owner": str(staff.pk),
                "log-fu-0-due_on": (yesterday - dt.timedelta(days=1)).isoformat(),
            }
        ),
    )
    assert response.status_code == 200
    assert "The due date cannot be before the interaction." in response.content.decode()
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


def test_interaction_in_the_future_is_refused(client, staff, supplier):
    client.force_login(staff)
    later = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("partners:interaction_create", args=[supplier.pk]), _payload(**{"log-occurred_at": later})
    )
    assert "plan future contacts as follow-ups" in response.content.decode()
    assert not Interaction.objects.exists()


def test_markup_in_a_summary_is_stored_as_typed_and_never_rendered(client, staff, supplier):
    client.force_login(staff)
    client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        _payload(**{"log-summary": "<img src=x onerror=alert(1)>"}),
    )
    assert Interaction.objects.get().summary == "<img src=x onerror=alert(1)>"
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_older_interaction_does_not_move_last_contact_back(client, staff, supplier):
    client.force_login(staff)
    client.post(reverse("partners:interaction_create", args=[supplier.pk]), _payload())
    first = Interaction.objects.get().occurred_at
    old = (timezone.localtime() - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("partners:interaction_create", args=[supplier.pk]), _payload(**{"log-occurred_at": old}))
    supplier.refresh_from_db()
    assert supplier.last_contacted_at == first


def test_my_followups_tabs_and_completion(client, staff, supplier):
    today = timezone.localdate()
    due = FollowUpFactory(partner=supplier, owner=staff, description="Due soon", due_on=today + dt.timedelta(days=2))
    FollowUpFactory(partner=supplier, owner=staff, description="Late one", due_on=today - dt.timedelta(days=2))
    client.force_login(staff)
    url = reverse("partners:followups")
    assert [f.description for f in client.get(url).context["page"].object_list] == ["Due soon"]
    assert [f.description for f in client.get(url, {"state": "overdue"}).context["page"].object_list] == ["Late one"]
    response = client.post(reverse("partners:followup_complete", args=[due.pk]), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    due.refresh_from_db()
    assert due.done_at is not None and due.done_by == staff
    assert [f.description for f in client.get(url, {"state": "done"}).context["page"].object_list] == ["Due soon"]
    # A second click changes nothing.
    done_at = due.done_at
    client.post(reverse("partners:followup_complete", args=[due.pk]))
    due.refresh_from_db()
    assert due.done_at == done_at
    client.post(reverse("partners:followup_reopen", args=[due.pk]))
    due.refresh_from_db()
    assert due.done_at is None


def test_followup_complete_rejects_offsite_next(client, staff, supplier):
    f = FollowUpFactory(partner=supplier, owner=staff)
    client.force_login(staff)
    response = client.post(reverse("partners:followup_complete", args=[f.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("partners:followups")


def test_dashboard_shows_what_i_owe_and_whom_i_neglect(client, staff):
    today = timezone.localdate()
    neglected = PartnerFactory(
        name="Forgotten Ltd", owner=staff, last_contacted_at=timezone.now() - dt.timedelta(days=90)
    )
    fresh = PartnerFactory(name="Fresh Ltd", owner=staff, last_contacted_at=timezone.now())
    FollowUpFactory(partner=fresh, owner=staff, description="Overdue promise", due_on=today - dt.timedelta(days=1))
    FollowUpFactory(partner=fresh, owner=staff, description="Later promise", due_on=today + dt.timedelta(days=9))
    from tests.factories import InteractionFactory

    InteractionFactory(partner=neglected, author=staff, subject="Dept news", department=staff.profile.department)
    client.force_login(staff)
    body = client.get("/").content.decode()
    assert "Overdue promise" in body and "Later promise" not in body
    assert "Forgotten Ltd" in body
    assert "Dept news" in body


def test_quicklog_form_is_fetched_as_a_fragment(client, staff, supplier):
    client.force_login(staff)
    fragment = client.get(reverse("partners:interaction_create", args=[supplier.pk]), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and 'id="quicklog-form"' in body
    full = client.get(reverse("partners:interaction_create", args=[supplier.pk])).content.decode()
    assert "<html" in full and 'id="quicklog-form"' in full
