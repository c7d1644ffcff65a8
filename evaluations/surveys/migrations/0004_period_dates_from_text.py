"""Periods become date ranges (issue #11 §4), step 2 of 3: read every free-text period.

"2025-Q4", "2025 Q4", "Q4 2025", "2025Q4", "2025年第四季度", "2025", "2025-12" … become the
same dates (evaluations/surveys/periods.py ``parse``). A text that cannot be read keeps its
words in ``period_note`` and takes a quarter, so nothing is lost:

- a survey: the quarter it was created in;
- an invitation or a response with its survey's text (as they are copied): the survey's
  period, so the three stay together; with another text: the quarter of its own date
  (invitation created, response submitted).

Backwards, the text comes back: the note if there is one, else the canonical label.
"""

from django.db import migrations
from django.utils import timezone

from evaluations.surveys.periods import YEAR_MAX, YEAR_MIN, Period, parse, quarter_of

BATCH = 500
NEW = ("period_kind", "period_start", "period_end", "period_note")


def _fallback(moment) -> Period:
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return quarter_of(day.replace(year=min(max(day.year, YEAR_MIN), YEAR_MAX)))


def _read(text: str, moment, same_as=None) -> tuple:
    """(kind, start, end, note) of ``text``; ``same_as`` is (text, kind, start, end, note) of
    the row it was copied from."""
    try:
        period = parse(text)
    except ValueError:
        if same_as is not None and same_as[0] == text:
            return same_as[1:]
        period, note = _fallback(moment), text
    else:
        note = ""
    return period.kind, period.start, period.end, note


def _save(model, rows):
    batch = []
    for pk, values in rows:
        batch.append(model(pk=pk, **dict(zip(NEW, values, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, NEW)
            batch = []
    if batch:
        model.objects.bulk_update(batch, NEW)


def forwards(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Invitation = apps.get_model("surveys", "SurveyInvitation")
    Response = apps.get_model("surveys", "SurveyResponse")

    surveys = Survey.objects.values_list("pk", "period", "created_at").order_by("pk")
    _save(Survey, ((pk, _read(text, created)) for pk, text, created in surveys.iterator(chunk_size=BATCH)))

    copied = [f"survey__{name}" for name in ("period", *NEW)]
    invitations = Invitation.objects.values_list("pk", "period", "created_at", *copied).order_by("pk")
    _save(
        Invitation,
        ((row[0], _read(row[1], row[2], same_as=row[3:])) for row in invitations.iterator(chunk_size=BATCH)),
    )

    copied = [f"invitation__{name}" for name in ("period", *NEW)]
    responses = Response.objects.values_list("pk", "period", "submitted_at", *copied).order_by("pk")
    _save(
        Response,
        ((row[0], _read(row[1], row[2], same_as=row[3:])) for row in responses.iterator(chunk_size=BATCH)),
    )


def backwards(apps, schema_editor):
    for name in ("Survey", "SurveyInvitation", "SurveyResponse"):
        model = apps.get_model("surveys", name)
        rows = model.objects.values_list("pk", "period_kind", "period_start", "period_note").order_by("pk")
        batch = []
        for pk, kind, start, note in rows.iterator(chunk_size=BATCH):
            batch.append(model(pk=pk, period=note or Period(start, kind).label))
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, ["period"])
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["period"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_period_dates")]

    operations = [migrations.RunPython(forwards, backwards)]
