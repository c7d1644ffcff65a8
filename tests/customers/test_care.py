"""Care calendar and greetings (P4.2.3): who is greeted, how, once, and never without consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification, OutboundEmail
from crm.notifications import email_send
from crm.scheduler import scan_run
from partners.customers.models import Greeting, GreetingTemplate, Holiday
from partners.customers.selectors import care_occasions, occurrence
from partners.models import FollowUp
from tests.factories import ContactFactory, PartnerFactory, department


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RAPPORT_GREETING_LEAD_DAYS = 3


def local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def key_customer(staff_sales):
    return PartnerFactory(
        name="Key Customer", family="customer", tier=1, owner=staff_sales, department=department("sales")
    )


@pytest.fixture
def birthday_template(db):
    return GreetingTemplate.objects.create(
        name="Birthday",
        occasion="birthday",
        subject_en="Happy birthday, {name}",
        body_en="Dear {name},\n<b>all the best</b> from us & {company}!",
        subject_zh="生日快乐，{name}",
        body_zh="亲爱的{name}，祝您生日快乐！",
        send_email=True,
    )


DAY = dt.date(2026, 12, 10)
BIRTHDAY = dt.date(2026, 12, 12)  # the contacts' birthday in these tests, within the lead time


def test_calendar_lists_consenting_birthdays_anniversaries_and_holidays_of_key_customers(db, key_customer):
    yes = ContactFactory(partner=key_customer, name="Consents", birthday=dt.date(1980, 12, 12), greetings_consent=True)
    ContactFactory(partner=key_customer, name="No consent", birthday=dt.date(1980, 12, 12), greetings_consent=False)
    primary = ContactFactory(partner=key_customer, name="Primary", is_primary=True)
    key_customer.customer_since = dt.date(2020, 12, 15)
    key_customer.save()
    normal = PartnerFactory(family="customer", tier=3, customer_since=dt.date(2020, 12, 15))
    ContactFactory(partner=normal, birthday=dt.date(1980, 12, 12), greetings_consent=True)
    supplier = PartnerFactory(family="supplier", tier=1, customer_since=dt.date(2020, 12, 15))
    ContactFactory(partner=supplier, birthday=dt.date(1980, 12, 12), greetings_consent=True)
    Holiday.objects.create(name_en="New Year", name_zh="元旦", date=dt.date(2027, 1, 1))
    rows = care_occasions(start=DAY, end=DAY + dt.timedelta(days=30))
    assert [(r.partner.name, r.contact.name if r.contact else None, r.occasion, r.date) for r in rows] == [
        ("Key Customer", "Consents", "birthday", dt.date(2026, 12, 12)),
        ("Key Customer", "Primary", "anniversary", dt.date(2026, 12, 15)),
        ("Key Customer", "Primary", "holiday", dt.date(2027, 1, 1)),
    ]
    assert rows[1].years == 6
    assert yes.pk and primary.pk


def test_year_end_window_and_29_february(db, key_customer):
    ContactFactory(partner=key_customer, name="Leap", birthday=dt.date(1988, 2, 29), greetings_consent=True)
    ContactFactory(partner=key_customer, name="January", birthday=dt.date(1990, 1, 3), greetings_consent=True)
    rows = care_occasions(start=dt.date(2026, 12, 20), end=dt.date(2027, 2, 28))
    assert [(r.contact.name, r.date) for r in rows if r.occasion == "birthday"] == [
        ("January", dt.date(2027, 1, 3)),
        ("Leap", dt.date(2027, 2, 28)),
    ]
    # The seeded Spring Festival 2027 (6 February) is in the window too.
    assert [(r.occasion_label, r.date) for r in rows if r.occasion == "holiday"] == [
        ("Spring Festival", dt.date(2027, 2, 6))
    ]
    assert occurrence(2, 29, dt.date(2028, 1, 1)) == dt.date(2028, 2, 29)


def test_a_first_anniversary_is_not_day_zero(db, key_customer):
    key_customer.customer_since = DAY
    key_customer.save()
    assert care_occasions(start=DAY, end=DAY + dt.timedelta(days=5)) == []


def test_scan_emails_a_consenting_contact_once_in_their_language_with_escaped_html(
    db, key_customer, birthday_template, django_capture_on_commit_callbacks
):
    contact = ContactFactory(
        partner=key_customer,
        name="Li <Lei>",
        birthday=dt.date(1980, 12, 12),
        greetings_consent=True,
        preferred_language="en",
    )
    # Two days ahead the email waits: a birthday greeting arrives on the birthday.
    assert scan_run("care_greetings", now=local_noon(DAY)).effects == 0
    assert not Greeting.objects.exists() and not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = scan_run("care_greetings", now=local_noon(BIRTHDAY))
    assert run.effects == 1
    greeting = Greeting.objects.get()
    assert (greeting.contact, greeting.occasion, greeting.date, greeting.status) == (
        contact,
        "birthday",
        dt.date(2026, 12, 12),
        "emailed",
    )
    email = OutboundEmail.objects.get()
    assert email.to_address == contact.email and email.kind == "greeting" and email.recipient is None
    assert email.subject == "Happy birthday, Li <Lei>"
    assert "&lt;b&gt;all the best&lt;/b&gt;" in email.body_html and "<b>" not in email.body_html
    assert "Li &lt;Lei&gt;" in email.body_html
    assert "<b>all the best</b> from us & Key Customer!" in email.body_text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact.email]
    assert not FollowUp.objects.exists()
    # A second run (and the next days) changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_run("care_greetings", now=local_noon(BIRTHDAY)).effects == 0
        scan_run("care_greetings", now=local_noon(BIRTHDAY + dt.timedelta(days=1)))
    assert Greeting.objects.count() == 1 and OutboundEmail.objects.count() == 1 and len(mail.outbox) == 1


def test_chinese_contact_gets_the_chinese_text(db, key_customer, birthday_template):
    contact = ContactFactory(
        partner=key_customer, birthday=dt.date(1980, 12, 12), greetings_consent=True, preferred_language="zh-hans"
    )
    scan_run("care_greetings", now=local_noon(BIRTHDAY))
    email = OutboundEmail.objects.get()
    assert email.language == "zh-hans" and email.subject == f"生日快乐，{contact.name}"


def test_without_greetings_consent_nothing_is_emailed_and_the_owner_gets_a_follow_up(
    db, key_customer, staff_sales, django_capture_on_commit_callbacks
):
    GreetingTemplate.objects.create(
        name="Holidays", occasion="holiday", subject_en="Season's greetings", body_en="Hi", send_email=True
    )
    primary = ContactFactory(partner=key_customer, name="Wang", is_primary=True, greetings_consent=False)
    ContactFactory(partner=key_customer, birthday=dt.date(1980, 12, 12), greetings_consent=False)
    holiday = Holiday.objects.create(name_en="Winter Solstice", name_zh="冬至", date=dt.date(2026, 12, 12))
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("care_greetings", now=local_noon(DAY))
    assert not OutboundEmail.objects.exists() and not mail.outbox
    greeting = Greeting.objects.get()  # the birthday of the contact without consent is not an occasion
    assert (greeting.contact, greeting.holiday, greeting.status) == (primary, holiday, "to_send")
    followup = FollowUp.objects.get()
    assert greeting.followup == followup
    assert followup.owner == staff_sales and followup.due_on == dt.date(2026, 12, 12)
    assert followup.description == "Send a greeting to Wang for Winter Solstice"
    assert Notification.objects.filter(recipient=staff_sales, kind="greeting_due").count() == 1
    scan_run("care_greetings", now=local_noon(DAY))
    assert FollowUp.objects.count() == 1 and Greeting.objects.count() == 1


def test_a_template_that_does_not_allow_email_makes_a_follow_up(db, key_customer, birthday_template):
    birthday_template.send_email = False
    birthday_template.save()
    ContactFactory(partner=key_customer, birthday=dt.date(1980, 12, 12), greetings_consent=True)
    scan_run("care_greetings", now=local_noon(DAY))
    assert not OutboundEmail.objects.exists()
    assert Greeting.objects.get().status == "to_send" and FollowUp.objects.count() == 1


def test_a_contact_without_email_makes_a_follow_up(db, key_customer, birthday_template):
    ContactFactory(partner=key_customer, email="", birthday=dt.date(1980, 12, 12), greetings_consent=True)
    scan_run("care_greetings", now=local_noon(DAY))
    assert not OutboundEmail.objects.exists() and FollowUp.objects.count() == 1


def test_consent_withdrawn_after_queueing_cancels_the_email(db, key_customer, birthday_template):
    contact = ContactFactory(partner=key_customer, birthday=dt.date(1980, 12, 12), greetings_consent=True)
    scan_run("care_greetings", now=local_noon(BIRTHDAY))  # email stored, not sent (no on_commit here)
    email = OutboundEmail.objects.get()
    contact.greetings_consent = False
    contact.save()
    assert email_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert email.state == "cancelled" and email.last_error.startswith("Cancelled")
    assert not mail.outbox


def test_outside_the_lead_time_nothing_is_prepared(db, key_customer, birthday_template):
    ContactFactory(partner=key_customer, birthday=dt.date(1980, 12, 20), greetings_consent=True)
    assert scan_run("care_greetings", now=local_noon(DAY)).effects == 0
    assert not Greeting.objects.exists()


def test_owner_marks_a_greeting_done_and_its_follow_up_closes(client, key_customer, staff_sales, staff):
    primary = ContactFactory(partner=key_customer, is_primary=True)
    Holiday.objects.create(name_en="Winter Solstice", date=dt.date(2026, 12, 12))
    scan_run("care_greetings", now=local_noon(DAY))
    greeting = Greeting.objects.get()
    client.force_login(staff)  # another department: not theirs
    assert client.post(reverse("customers:greeting_mark", args=[greeting.pk]), {"status": "done"}).status_code == 403
    client.force_login(staff_sales)
    response = client.post(reverse("customers:greeting_mark", args=[greeting.pk]), {"status": "done"})
    assert response.status_code == 302
    greeting.refresh_from_db()
    assert greeting.status == "done" and greeting.done_by == staff_sales
    assert FollowUp.objects.get().done_at is not None
    response = client.post(reverse("customers:greeting_mark", args=[greeting.pk]), {"status": "bogus"})
    assert response.status_code == 302
    greeting.refresh_from_db()
    assert greeting.status == "done" and primary


def test_calendar_page_shows_rows_and_an_empty_state(client, key_customer, staff_sales):
    client.force_login(staff_sales)
    response = client.get(reverse("customers:care_calendar"), {"days": "5"})
    assert response.status_code == 200
    today = timezone.localdate()
    ContactFactory(partner=key_customer, name="Zhang San", birthday=today.replace(year=1985), greetings_consent=True)
    response = client.get(reverse("customers:care_calendar"), {"mine": "1"})
    assert "Zhang San" in response.content.decode()
    for params in ({"days": "-4"}, {"days": "x"}, {"days": "99999"}, {"page": "abc"}, {"mine": "<b>"}):
        assert client.get(reverse("customers:care_calendar"), params).status_code == 200


def test_calendar_feed_lists_my_customers_occasions(client, key_customer, staff_sales):
    from crm.calendar import calendar_feed

    today = timezone.localdate()
    ContactFactory(partner=key_customer, name="Zhao Liu", birthday=today.replace(year=1985), greetings_consent=True)
    assert "Zhao Liu" in calendar_feed(user=staff_sales).decode()


def test_a_holiday_is_greeted_once_per_partner_even_when_the_primary_contact_changes(db, key_customer):
    first = ContactFactory(partner=key_customer, name="First", is_primary=True)
    Holiday.objects.create(name_en="Winter Solstice", date=dt.date(2026, 12, 12))
    Holiday.objects.create(name_en="Company Day", date=dt.date(2026, 12, 12))
    assert scan_run("care_greetings", now=local_noon(DAY)).effects == 2  # two holidays, same day
    first.is_primary = False
    first.save()
    ContactFactory(partner=key_customer, name="Second", is_primary=True)
    assert scan_run("care_greetings", now=local_noon(DAY)).effects == 0
    assert Greeting.objects.count() == 2 and FollowUp.objects.count() == 2
    assert all(r.greeting for r in care_occasions(start=DAY, end=DAY + dt.timedelta(days=3)))


def test_a_task_for_an_occasion_no_longer_due_does_nothing(db, key_customer, birthday_template):
    from partners.customers.services import greeting_prepare

    contact = ContactFactory(partner=key_customer, birthday=dt.date(1980, 12, 12), greetings_consent=False)
    assert greeting_prepare(partner_id=key_customer.pk, contact_id=contact.pk, occasion="birthday", day=DAY) == 0
    contact.greetings_consent = True
    contact.save()
    key_customer.tier = 3
    key_customer.save()
    day = dt.date(2026, 12, 12)
    assert greeting_prepare(partner_id=key_customer.pk, contact_id=contact.pk, occasion="birthday", day=day) == 0
    assert not Greeting.objects.exists() and not OutboundEmail.objects.exists()


def test_admin_configures_holidays_and_templates(client, admin_user):
    client.force_login(admin_user)
    for model in ("holiday", "greetingtemplate", "greeting", "gift", "need", "campaign"):
        assert client.get(f"/admin/customers/{model}/").status_code == 200, model
    response = client.get("/admin/customers/holiday/add/")
    assert "lunar calendar" in response.content.decode()
    response = client.post(
        "/admin/customers/holiday/add/", {"name_en": "Spring Festival", "name_zh": "春节", "date": "2028-01-26"}
    )
    assert response.status_code == 302
    assert Holiday.objects.filter(date=dt.date(2028, 1, 26)).exists()
    # The seeded years are there.
    assert set(Holiday.objects.filter(date__year=2026).values_list("name_en", flat=True)) == {
        "Spring Festival",
        "Mid-Autumn Festival",
        "National Day",
    }


def test_care_scans_are_registered_and_scheduled(settings):
    from crm.scheduler import load_scans

    scans = load_scans()
    scheduled = {tuple(entry.get("args", ())) for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("care_greetings", "campaigns"):
        assert name in scans and (name,) in scheduled
