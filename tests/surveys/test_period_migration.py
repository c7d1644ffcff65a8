"""Free-text survey periods become date ranges with nothing lost (issue #11 §4).

django-test-migrations migrates the test database back to the surveys' last migration
with a text ``period`` (0002), rows are written there as they were, and after migrating
forward (0003–0005) every row is still there with dates: three spellings of one quarter
are one period, a text nobody can read keeps its words in ``period_note`` and takes the
quarter it was created in. Migrating back brings the text back.
"""

from __future__ import annotations

import datetime as dt

import pytest

BEFORE = [("surveys", "0002_take_over_tables")]
AFTER = [("surveys", "0005_period_dates_required")]
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _seed(apps) -> dict[str, int]:
    """Surveys with the periods people typed, each with an answered invitation."""
    User = apps.get_model("auth", "User")
    Department = apps.get_model("crm", "Department")
    Partner = apps.get_model("partners", "Partner")
    Contact = apps.get_model("partners", "Contact")
    Survey = apps.get_model("surveys", "Survey")
    Invitation = apps.get_model("surveys", "SurveyInvitation")
    Response = apps.get_model("surveys", "SurveyResponse")
    Answer = apps.get_model("surveys", "Answer")
    template = apps.get_model("surveys", "SurveyTemplate").objects.get(name="Customer satisfaction")
    question = template.questions.order_by("order").first()

    user = User.objects.create(username="keeper")
    customer = Partner.objects.create(
        name="Old Customer",
        family="customer",
        kind="company",
        owner=user,
        department=Department.objects.get(code="sales"),
    )
    ids = {}
    texts = ["2025-Q4", "2025 Q4", "Q4 2025", "2025", "2025-12", "2025年第三季度", "Spring campaign"]
    for n, text in enumerate(texts):
        contact = Contact.objects.create(partner=customer, name=f"Contact {n}", email=f"c{n}@old.example")
        survey = Survey.objects.create(
            template=template, title=f"Survey {text}", family="customer", period=text, created_by=user, sent_at=NOW
        )
        # auto_now_add sets "now": the creation dates of an old database are older.
        Survey.objects.filter(pk=survey.pk).update(created_at=dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC))
        invitation = Invitation.objects.create(
            survey=survey,
            partner=customer,
            contact=contact,
            email=contact.email,
            language="en",
            family="customer",
            period=text,
            nonce=f"nonce-{n}",
            token_hash=f"hash-{n}",
            expires_at=NOW + dt.timedelta(days=30),
            responded_at=NOW,
        )
        response = Response.objects.create(
            invitation=invitation,
            survey=survey,
            partner=customer,
            contact=contact,
            family="customer",
            period=text,
            language="en",
            submitted_at=NOW,
        )
        Answer.objects.create(response=response, question=question, kind="nps", score=n)
        ids[text] = survey.pk
    # An invitation whose own text differs from its survey's and cannot be read either:
    # it takes the quarter it was created in (2026-Q2 here), its words kept.
    odd_survey = Survey.objects.get(pk=ids["2025"])
    odd = Invitation.objects.create(
        survey=odd_survey,
        partner=customer,
        contact=None,
        email="odd@old.example",
        language="en",
        family="customer",
        period="??",
        nonce="nonce-odd",
        token_hash="hash-odd",
        expires_at=NOW + dt.timedelta(days=30),
    )
    ids["odd invitation"] = odd.pk
    return ids


def _period(row) -> tuple:
    return (row.period_kind, row.period_start, row.period_end, row.period_note)


@pytest.mark.django_db
def test_free_text_periods_become_date_ranges_with_nothing_lost(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    ids = _seed(old.apps)
    counts = {
        name: old.apps.get_model("surveys", name).objects.count()
        for name in ("Survey", "SurveyInvitation", "SurveyResponse", "Answer")
    }

    new = migrator.apply_tested_migration(AFTER).apps
    Survey = new.get_model("surveys", "Survey")
    Invitation = new.get_model("surveys", "SurveyInvitation")
    Response = new.get_model("surveys", "SurveyResponse")
    # Rows before = rows after.
    assert {name: new.get_model("surveys", name).objects.count() for name in counts} == counts

    q4 = ("quarter", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "")
    spellings = Survey.objects.filter(pk__in=[ids["2025-Q4"], ids["2025 Q4"], ids["Q4 2025"]])
    assert {_period(s) for s in spellings} == {q4}  # three spellings, one period
    assert {(s.period_kind, s.period_start) for s in spellings} == {("quarter", dt.date(2025, 10, 1))}
    assert _period(Survey.objects.get(pk=ids["2025"])) == ("year", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "")
    assert _period(Survey.objects.get(pk=ids["2025-12"])) == ("month", dt.date(2025, 12, 1), dt.date(2025, 12, 31), "")
    assert _period(Survey.objects.get(pk=ids["2025年第三季度"]))[:2] == ("quarter", dt.date(2025, 7, 1))
    # Unreadable: the quarter the survey was created in, the words kept.
    spring = Survey.objects.get(pk=ids["Spring campaign"])
    assert _period(spring) == ("quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "Spring campaign")

    # Invitations and responses carry their survey's period, the note included.
    for survey in Survey.objects.all():
        for invitation in Invitation.objects.filter(survey=survey).exclude(pk=ids["odd invitation"]):
            assert _period(invitation) == _period(survey)
        for response in Response.objects.filter(survey=survey):
            assert _period(response) == _period(survey) == _period(response.invitation)
            assert response.answers.count() == 1
    odd = Invitation.objects.get(pk=ids["odd invitation"])
    assert _period(odd)[0:2] == ("quarter", dt.date(odd.created_at.year, (odd.created_at.month - 1) // 3 * 3 + 1, 1))
    assert odd.period_note == "??"

    # Migrating back restores a text for every row: the words kept, else the canonical label.
    back = migrator.apply_tested_migration(BEFORE).apps
    texts = dict(back.get_model("surveys", "Survey").objects.values_list("pk", "period"))
    assert [texts[ids[t]] for t in ("2025 Q4", "Q4 2025", "2025", "2025-12", "Spring campaign")] == [
        "2025-Q4",
        "2025-Q4",
        "2025",
        "2025-12",
        "Spring campaign",
    ]
    assert back.get_model("surveys", "SurveyInvitation").objects.get(pk=ids["odd invitation"]).period == "??"
    assert set(back.get_model("surveys", "SurveyResponse").objects.values_list("period", flat=True)) == {
        "2025-Q4",
        "2025",
        "2025-12",
        "2025-Q3",
        "Spring campaign",
    }
