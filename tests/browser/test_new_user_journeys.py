"""Issue #12's journeys in Chromium (§4 scorecard inputs, §5 notification e-mails): each one
followed end to end as its user would, asserting on what the browser shows and on the database.
The Chinese journeys (§6–§9) are in test_new_user_journeys_zh.py."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from crm.models import CorrectiveAction, Notification, OutboundEmail, Profile
from crm.scheduler import scan_run
from evaluations import scoring
from evaluations.models import Criterion, CriterionScore, Decision, Evaluation
from tests.browser.conftest import sign_in
from tests.evaluations.factories import kpi, make_template, manual, open_eval
from tests.factories import FollowUpFactory, PartnerFactory, UserFactory, department, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A number shown with more places than it has: 80.0000, 55.500.
OVER_PRECISE = re.compile(r"\d\.\d{3,}")


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


def _accept_dialogs(page) -> None:
    """The close form asks "Closing freezes the result. Continue?": the manager says yes."""
    page.on("dialog", lambda dialog: dialog.accept())


# --- §4 Scorecard inputs --------------------------------------------------------------------------


def test_manager_scores_closes_early_with_a_reason_and_reads_the_plan(page):
    """A manager who is the evaluator types 150 into a percentage KPI (refused next to the
    field, the rest kept, nothing saved), corrects it, submits; closing before the period ends
    is refused without a reason and accepted with the override's reason; the score reads with
    the precision it has; the decision's corrective action is on the evaluation page; the
    supplier's long-expired certificate is "expired", the one ending soon "expiring"."""
    page.set_default_timeout(15000)
    _accept_dialogs(page)
    buyer = UserFactory(username="buyer", first_name="Mei", last_name="Chen", role="Staff", dept="procurement")
    manager = UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="procurement")
    template = make_template(criteria=[manual("Quality", 50), kpi("On-time delivery", 50, 0, 100)])
    Criterion.objects.filter(template=template, kind=scoring.KPI).update(kpi_unit="%")
    quality = template.criteria.get(name="Quality")
    delivery = template.criteria.get(name="On-time delivery")
    supplier = PartnerFactory(name="Wuxi Precision Castings", owner=buyer, department=department("procurement"))
    today = timezone.localdate()
    supplier.qualifications.create(doc_type="iso9001", number="ISO-OLD-1", expires_on=today - dt.timedelta(days=150))
    supplier.qualifications.create(doc_type="iso14001", number="ISO-SOON-2", expires_on=today + dt.timedelta(days=12))
    evaluation = open_eval(supplier, template, [manager], period=today)  # this quarter: not over yet
    assert evaluation.period_end >= today

    # To the sheet the way the manager goes: scorecard → open evaluation → Score.
    sign_in(page, "manager")
    page.goto(f"/evaluations/partner/{supplier.pk}/")
    page.click(f"a[href='/evaluations/{evaluation.pk}/']")
    page.wait_for_selector("#sheets")
    page.click("#sheets a:text-is('Score')")
    page.wait_for_selector("#submit-sheet")

    value = f"c{delivery.pk}_value"
    page.check(f"input[name=c{quality.pk}_value][value='3']")
    page.fill(f"textarea[name=c{quality.pk}_evidence]", "Two rejected lots in October")
    page.fill(f"input[name={value}]", "150")
    page.fill(f"textarea[name=c{delivery.pk}_evidence]", "ERP delivery report")
    page.click("button[name=save]")
    page.wait_for_selector(".invalid-feedback")

    # The message sits in the KPI field's own wrapper, and only there.
    feedback = page.locator(f"#div_id_{value} .invalid-feedback")
    assert feedback.count() == 1 and "100" in feedback.inner_text()
    assert page.locator(".invalid-feedback").count() == 1
    # Everything else as typed.
    assert page.locator(f"input[name=c{quality.pk}_value][value='3']").is_checked()
    assert page.input_value(f"textarea[name=c{quality.pk}_evidence]") == "Two rejected lots in October"
    assert page.input_value(f"textarea[name=c{delivery.pk}_evidence]") == "ERP delivery report"
    assert page.input_value(f"input[name={value}]") == "150"
    assert not CriterionScore.objects.filter(sheet__evaluation=evaluation).exists()

    # Corrected: saved, and shown as typed (61, not 61.0000).
    page.fill(f"input[name={value}]", "61")
    page.click("button[name=save]")
    page.wait_for_selector("text=Your scores were saved")
    assert page.input_value(f"input[name={value}]") == "61"
    assert CriterionScore.objects.get(sheet__evaluation=evaluation, criterion=delivery).kpi_value == Decimal(61)
    page.click("#submit-sheet")
    page.wait_for_selector("#close-evaluation")
    assert "Your sheet was submitted" in page.locator("#messages").inner_text()

    # Close before the period ends, without the override: refused next to the override.
    assert page.locator("#period-not-ended").is_visible()
    page.click("#close-evaluation")
    page.wait_for_selector("#div_id_c-early .invalid-feedback")
    assert "after its period has ended" in page.locator("#div_id_c-early").inner_text()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN and evaluation.score is None

    # The override without a reason: refused next to the reason.
    page.check("#id_c-early")
    page.click("#close-evaluation")
    page.wait_for_selector("#div_id_c-early_reason .invalid-feedback")
    assert "Give the reason" in page.locator("#div_id_c-early_reason").inner_text()
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.OPEN

    # With the reason: closed, the reason on the page and on the evaluation.
    reason = "The supplier's contract ends this month; the board decides next week."
    page.check("#id_c-early")
    page.fill("#id_c-early_reason", reason)
    page.click("#close-evaluation")
    page.wait_for_selector("#closed-early")
    assert reason in page.locator("#closed-early").inner_text()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.CLOSED and evaluation.closed_early_reason == reason
    assert evaluation.closed_by == manager

    # Quality 3/5 → 50 and 61 % → 61: 55.5, shown so — never 55.50 or 55.5000.
    assert evaluation.score == Decimal("55.50") and evaluation.standing == "C"
    assert re.match(r"55\.5\s", page.locator("#evaluation-score").inner_text())
    page.click("#main details.explain summary")
    main = page.locator("#main").inner_text()
    assert "61 → 61" in main and "Period score: 55.5" in main
    assert not OVER_PRECISE.search(main) and "55.50" not in main

    # A C needs a corrective action plan: the manager decides and gives the buyer an action.
    due = today + dt.timedelta(days=30)
    page.select_option("#id_d-outcome", "adjust_terms")
    page.fill("#id_d-reason", "Quality must improve before new orders.")
    page.fill("#id_d-re_evaluation_on", (today + dt.timedelta(days=90)).isoformat())
    page.fill("#id_a-0-description", "8D report on the rejected lots")
    page.select_option("#id_a-0-owner", str(buyer.pk))
    page.fill("#id_a-0-due_on", due.isoformat())
    page.click("#record-decision")
    page.wait_for_selector("#plan-actions >> text=8D report on the rejected lots")
    row = page.locator("#plan-actions li").first.inner_text()
    assert "Mei Chen" in row and due.isoformat() in row and "Open" in row
    assert "Adjust terms" in page.locator("#decisions").inner_text()
    action = CorrectiveAction.objects.get()
    assert action.owner == buyer and action.due_on == due and action.state == CorrectiveAction.State.OPEN
    assert Decision.objects.get(evaluation=evaluation).outcome == "adjust_terms"
    page.click("#plan-actions a")
    page.wait_for_url(f"**/actions/{action.pk}/")

    # The supplier's certificates: the one that expired months ago is expired, not expiring.
    page.goto(supplier.get_absolute_url())
    card = page.locator("#qualifications")
    old = card.locator("li", has_text="ISO-OLD-1")
    soon = card.locator("li", has_text="ISO-SOON-2")
    assert old.locator(".qualification-expired").count() == 1 and old.locator(".qualification-expiring").count() == 0
    assert soon.locator(".qualification-expiring").count() == 1 and soon.locator(".qualification-expired").count() == 0
    assert "expired" in old.inner_text() and "expiring" in soon.inner_text()
    page.goto(f"/evaluations/partner/{supplier.pk}/")
    expired = page.locator("#expired-qualifications").inner_text()
    expiring = page.locator("#expiring-qualifications").inner_text()
    assert "ISO-OLD-1" in expired and "ISO-SOON-2" not in expired
    assert "ISO-SOON-2" in expiring and "ISO-OLD-1" not in expiring
    assert re.search(r"55\.5\b", page.locator("#main").inner_text())
    assert not OVER_PRECISE.search(page.locator("#main").inner_text())
    assert page.console_errors == []


# --- §5 Notification e-mails ----------------------------------------------------------------------


def _choose_notifications(page, username: str, label: str) -> None:
    sign_in(page, username)
    page.goto("/profile/")
    page.select_option("#id_notification_mode", label=label)
    page.click("#main form button[type=submit]")
    page.wait_for_selector("text=Your preferences were saved.")
    assert page.locator("#id_notification_mode option:checked").inner_text() == label
    page.context.clear_cookies()


def _long_date(day: dt.date) -> str:
    with translation.override("en"):
        return formats.date_format(day)


def test_immediate_user_gets_one_email_per_overdue_follow_up_and_digest_user_one_a_day(page, live_server, settings):
    """Two users choose their notifications on the Preferences page; the morning scan runs:
    the one on "Immediately" gets one e-mail per overdue follow-up, each in its own words
    ("overdue since <date>"); the one on "Daily digest" one message for the day."""
    page.set_default_timeout(15000)
    settings.RAPPORT_BASE_URL = live_server.url
    settings.RAPPORT_DIGEST_HOUR = 0  # the digest goes out whatever the hour the test runs
    fast = UserFactory(username="fast", first_name="Li", last_name="Na", role="Staff", dept="procurement")
    slow = UserFactory(username="slow", first_name="Wang", last_name="Fang", role="Staff", dept="procurement")
    Profile.objects.filter(user=fast).update(notification_mode=Profile.Digest.DAILY)  # changed in the UI below
    today = timezone.localdate()
    items = {}
    for user, partner_name in ((fast, "Suzhou Precision Parts"), (slow, "Ningbo Moulds")):
        partner = PartnerFactory(name=partner_name, owner=user)
        items[user.username] = [
            FollowUpFactory(owner=user, partner=partner, description=f"{what} ({user.username})", due_on=due)
            for what, due in (
                ("Send the revised forecast", today - dt.timedelta(days=9)),
                ("Call back about the invoice", today - dt.timedelta(days=2)),
            )
        ]

    _choose_notifications(page, "fast", "Immediately")
    _choose_notifications(page, "slow", "Daily digest")
    modes = dict(Profile.objects.values_list("user__username", "notification_mode"))
    assert modes["fast"] == Profile.Digest.IMMEDIATE and modes["slow"] == Profile.Digest.DAILY

    # The scheduler's follow-up scan (tasks run eagerly, e-mails sent after each commit).
    scan_run("followups")
    scan_run("followups")  # a second run the same day adds nothing

    to_fast = [m for m in mail.outbox if m.to == [fast.email]]
    to_slow = [m for m in mail.outbox if m.to == [slow.email]]
    assert len(to_fast) == 2 and len(to_slow) == 1
    for followup in items["fast"]:
        date = _long_date(followup.due_on)
        (message,) = [m for m in to_fast if followup.description in m.subject]
        assert message.subject == f"Overdue since {date}: {followup.description} (Suzhou Precision Parts)"
        assert f"This follow-up is overdue since {date}:" in message.body
        assert "digest" not in (message.subject + message.body).lower()
        assert "needs you today" not in message.subject and "need you today" not in message.subject
        other = next(f for f in items["fast"] if f != followup)
        assert other.description not in message.body  # one item per e-mail
    (digest,) = to_slow
    assert digest.subject == "Rapport: 2 follow-ups need you today"
    for followup in items["slow"]:
        assert f"{followup.description} — Ningbo Moulds (overdue since {_long_date(followup.due_on)})" in digest.body
    assert "once a day" in digest.body

    sent = OutboundEmail.objects.filter(state=OutboundEmail.State.SENT)
    assert sorted(sent.filter(recipient=fast).values_list("kind", flat=True)) == ["followup_overdue"] * 2
    assert list(sent.filter(recipient=slow).values_list("kind", flat=True)) == ["followup_digest"]
    assert Notification.objects.filter(recipient=fast, kind="followup_overdue").count() == 2

    # The immediate user follows the e-mail's link to their follow-ups and finds both overdue.
    link = re.search(r"All your follow-ups: (\S+)", to_fast[0].body).group(1)
    assert link == f"{live_server.url}/follow-ups/?state=overdue"  # not the (empty) Due tab
    sign_in(page, "fast")
    page.goto(link)
    page.wait_for_selector("#followups")
    listed = page.locator("#followups").inner_text()
    assert all(f.description in listed for f in items["fast"])
    page.goto("/notifications/")
    notices = page.locator("#notification-list").inner_text()
    for followup in items["fast"]:
        assert f"Overdue since {_long_date(followup.due_on)}: {followup.description}" in notices
    assert page.console_errors == []
