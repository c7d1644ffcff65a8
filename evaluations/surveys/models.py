"""Satisfaction surveys (P4.1.3 supplier, P4.2.3 customer, P5.2 annual report).

A ``SurveyTemplate`` holds the questions (bilingual prompts); a ``Survey`` is one sending
of a template to chosen contacts; each contact gets a ``SurveyInvitation`` with a
single-use link; the answers are kept as a ``SurveyResponse`` with ``Answer`` rows. The
response copies the partner's family and department and the period at the time of the
invitation, so the annual report (P5.2) aggregates what was true when people answered.

A period is a real date range (periods.py): ``period_kind``, ``period_start`` and
``period_end``, on the survey and copied to its invitations and responses; the report
selects a year's responses by ``period_start`` (indexed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.bilingual import in_language
from crm.cleaning import between
from crm.models import Department, TimeStampedModel
from partners.models import Contact, Family, Partner

from .periods import Period, PeriodKind, parse

TEXT_MAX_LENGTH = 2000


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Likelihood to recommend (NPS, 0–10)")
    CSAT = "csat", _("Satisfaction (CSAT, 1–5)")
    CES = "ces", _("Ease (CES, 1–7)")
    TEXT = "text", _("Free text")


# The allowed score range of each scored kind (inclusive).
SCALES: dict[str, tuple[int, int]] = {
    QuestionKind.NPS: (0, 10),
    QuestionKind.CSAT: (1, 5),
    QuestionKind.CES: (1, 7),
}
SCORE_MIN = min(low for low, _high in SCALES.values())
SCORE_MAX = max(high for _low, high in SCALES.values())
# The reminder policy of a survey (the survey form offers these ranges).
MAX_REMINDERS = 5


class SurveyTemplate(TimeStampedModel):
    """A reusable questionnaire; language-neutral (each question carries both prompts)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    family = models.CharField(
        _("family"), max_length=20, choices=Family.choices, blank=True, help_text=_("Leave empty for any family.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    send_after_case = models.BooleanField(
        _("send after a case closes"),
        default=False,
        help_text=_("Invite the case's contact when a case of this family is closed."),
    )
    low_score_opens_case = models.BooleanField(
        _("a low score opens a case"),
        default=False,
        help_text=_("NPS 0–6, CSAT 1–2 or CES 1–2 opens a complaint case for the partner's department."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_zh)


class Question(models.Model):
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    prompt_en = models.CharField(_("question (English)"), max_length=500)
    prompt_zh = models.CharField(_("question (Chinese)"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0, validators=between(0, 1000))
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.display_prompt

    @property
    def display_prompt(self) -> str:
        """The question in the reader's language (the active one)."""
        return in_language(self.prompt_en, self.prompt_zh)

    def prompt(self, language: str) -> str:
        if language.lower().startswith("zh") and self.prompt_zh:
            return self.prompt_zh
        return self.prompt_en

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.kind)


class PeriodFields(models.Model):
    """A month, quarter or year as dates (periods.Period), plus what was typed before
    periods were dates when it could not be read (kept so nothing is lost)."""

    period_kind = models.CharField(_("period kind"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    period_note = models.CharField(
        _("period as first entered"),
        max_length=20,
        blank=True,
        help_text=_("The period as typed before periods were dates, when it could not be read."),
    )

    class Meta:
        abstract = True

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_kind)

    @period.setter
    def period(self, value: Period | str) -> None:
        """Set the three fields from a Period (or a text ``periods.parse`` reads strictly;
        ValueError otherwise). ``Survey(period=...)`` and ``objects.create(period=...)`` work."""
        period = parse(value) if isinstance(value, str) else value
        self.period_kind, self.period_start, self.period_end = period.kind, period.start, period.end

    def copy_period(self, other: PeriodFields) -> None:
        """Take ``other``'s period (a survey's, into its invitation or response)."""
        for name in PERIOD_FIELDS:
            setattr(self, name, getattr(other, name))


PERIOD_FIELDS = ("period_kind", "period_start", "period_end", "period_note")


def period_check(name: str) -> models.CheckConstraint:
    """A known kind, and an end on or after the start."""
    return models.CheckConstraint(
        condition=models.Q(period_end__gte=models.F("period_start")) & models.Q(period_kind__in=PeriodKind.values),
        name=name,
    )


class Survey(PeriodFields, TimeStampedModel):
    """One sending of a template, with its reminder policy."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    title_zh = models.CharField(
        _("title (Chinese)"), max_length=200, blank=True, help_text=_("What respondents reading Chinese see.")
    )
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only contacts of this department's partners; empty for all departments."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    max_reminders = models.PositiveSmallIntegerField(
        _("maximum reminders"), default=2, validators=between(0, MAX_REMINDERS)
    )
    min_days_between = models.PositiveSmallIntegerField(
        _("minimum days between reminders"), default=3, validators=between(1, 60)
    )
    expires_after_days = models.PositiveSmallIntegerField(
        _("link valid for (days)"), default=21, validators=between(1, 180)
    )
    # Created by the system to hold the invitations sent after cases close (one per
    # template, family and period).
    after_case = models.BooleanField(_("sent after cases"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # One survey holds the after-case invitations of a template, family and period:
            # two cases closed at the same moment cannot create two.
            models.UniqueConstraint(
                fields=["template", "family", "period_kind", "period_start"],
                condition=models.Q(after_case=True),
                name="after_case_survey_once",
            ),
            period_check("survey_period_valid"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the reader's language (respondents: the invitation's)."""
        return in_language(self.title, self.title_zh)


class SurveyInvitation(PeriodFields, TimeStampedModel):
    """One contact's single-use link. Only the SHA-256 of the link's token is stored."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    # Kept when the contact is deleted: the answers still count for the partner.
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    # Snapshot at sending time: what the results page and the annual report group by.
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    # What triggered it, when not a manual sending (a closed case, ...).
    case_ref = models.CharField(_("case"), max_length=40, blank=True)
    nonce = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(
        _("reminders sent"), default=0, validators=between(0, MAX_REMINDERS)
    )
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "contact"], name="invitation_once_per_contact"),
            period_check("invitation_period_valid"),
        ]
        indexes = [
            # The reminder scan: open invitations that have not expired.
            models.Index(fields=["responded_at", "expires_at"], name="invitation_open_idx"),
            # Results page: response rate in the chosen year, by family.
            models.Index(fields=["period_start", "family"], name="invitation_period_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.email}"


class SurveyResponse(PeriodFields, models.Model):
    """The answers of one invitation (at most one, P5.2 input)."""

    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response"
    )
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    case_ref = models.CharField(_("case"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=10)
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [period_check("response_period_valid")]
        indexes = [
            # Results page and the annual report (P5.2): a year's responses by family.
            models.Index(fields=["period_start", "family"], name="response_period_start_idx"),
            # Case page: the satisfaction survey answered after the case.
            models.Index(fields=["case_ref"], name="response_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.submitted_at:%Y-%m-%d}"

    @classmethod
    def for_invitation(cls, invitation: SurveyInvitation, *, submitted_at, language: str = "") -> SurveyResponse:
        """An unsaved response carrying the invitation's snapshot (partner, family,
        department, period, case) as the results and the annual report group by it."""
        response = cls(
            invitation=invitation,
            survey_id=invitation.survey_id,
            partner_id=invitation.partner_id,
            contact_id=invitation.contact_id,
            family=invitation.family,
            department_id=invitation.department_id,
            case_ref=invitation.case_ref,
            language=language or invitation.language,
            submitted_at=submitted_at,
        )
        response.copy_period(invitation)
        return response


class Answer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    # Copied from the question so the results aggregate without joining it.
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    score = models.SmallIntegerField(_("score"), null=True, blank=True, validators=between(SCORE_MIN, SCORE_MAX))
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["question__order", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]
        # Results page: scores of one kind.
        indexes = [models.Index(fields=["kind", "score"], name="answer_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.score if self.score is not None else self.text[:40]}"

    def stored_value_problems(self) -> dict[str, str]:
        """A score lies on its question kind's scale (NPS 0–10, CSAT 1–5, CES 1–7)."""
        scale = SCALES.get(self.kind)
        if self.score is None or scale is None or scale[0] <= self.score <= scale[1]:
            return {}
        return {"score": _("Enter a score between %(min)s and %(max)s.") % {"min": scale[0], "max": scale[1]}}


# --- Service cases (P4.1.2 quick response, P4.2.2 service, P4.2.3 complaints) -------------
