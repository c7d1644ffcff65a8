"""Customer care (P4.2.1 needs, P4.2.3 care and loyalty, P3.1 gifts): needs and their
topics, holidays, greeting templates and greetings, the gift register, campaigns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.cleaning import between
from crm.models import TimeStampedModel
from partners.models import Contact, Family, FollowUp, Interaction, Partner, Tag


class NeedTag(models.Model):
    """What a need is about ("price", "delivery time", "training"): kept apart from partner
    tags so the partner list's tag filter is not flooded with need topics."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("need tag")
        verbose_name_plural = _("need tags")

    def __str__(self) -> str:
        return self.name


class Need(TimeStampedModel):
    """A need or preference a customer told us about (P4.2.1), summarised periodically."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ADDRESSED = "addressed", _("Addressed")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="customer_needs"
    )
    summary = models.CharField(_("need"), max_length=300)
    details = models.TextField(_("details"), max_length=5000, blank=True)
    tags = models.ManyToManyField(NeedTag, verbose_name=_("topics"), blank=True, related_name="needs")
    interaction = models.ForeignKey(
        Interaction,
        verbose_name=_("learnt during"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    history = HistoricalRecords(m2m_fields=[tags], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [
            # Partner page: the partner's latest needs.
            models.Index(fields=["partner", "-recorded_at"], name="need_partner_idx"),
            # Needs summary: the chosen period.
            models.Index(fields=["recorded_at"], name="need_recorded_idx"),
        ]

    def __str__(self) -> str:
        return self.summary


class Holiday(models.Model):
    """A holiday of the care calendar (P4.2.3). Spring Festival and Mid-Autumn follow the
    lunar calendar and National Day's dates are announced yearly: an administrator enters
    each year's dates in the admin (2026 and 2027 are seeded by a migration)."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    date = models.DateField(
        _("date"),
        help_text=_(
            "Spring Festival and Mid-Autumn follow the lunar calendar and National Day's dates are "
            "announced each year: enter each year's date."
        ),
    )

    class Meta:
        ordering = ["date", "name_en"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["date", "name_en"], name="holiday_unique_date_name")]
        # Care calendar and greeting scan: holidays in the coming days.
        indexes = [models.Index(fields=["date"], name="holiday_date_idx")]

    def __str__(self) -> str:
        return f"{self.name_en} {self.date.isoformat()}"

    def name(self, language: str) -> str:
        return self.name_zh if language.lower().startswith("zh") and self.name_zh else self.name_en


class Occasion(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("Company anniversary")
    HOLIDAY = "holiday", _("Holiday")


class GreetingTemplate(TimeStampedModel):
    """The words of a greeting, in both languages. ``{name}`` and ``{company}`` are replaced
    by the contact's and the partner's names."""

    name = models.CharField(_("name"), max_length=100)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    holiday_name = models.CharField(
        _("only for holiday"),
        max_length=100,
        blank=True,
        help_text=_("English name of one holiday (e.g. Spring Festival); empty for every holiday."),
    )
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"), max_length=5000)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200, blank=True)
    body_zh = models.TextField(_("text (Chinese)"), max_length=5000, blank=True)
    send_email = models.BooleanField(
        _("email the contact"),
        default=False,
        help_text=_("Email consenting contacts directly; otherwise the owner gets a follow-up to send it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["occasion", "holiday_name", "name"]
        verbose_name = _("greeting template")
        verbose_name_plural = _("greeting templates")

    def __str__(self) -> str:
        return self.name

    def texts(self, language: str) -> tuple[str, str]:
        if language.lower().startswith("zh") and self.subject_zh and self.body_zh:
            return self.subject_zh, self.body_zh
        return self.subject_en, self.body_en


class Greeting(TimeStampedModel):
    """One greeting for one occasion (P4.2.3): the effect of the care scan, unique per
    occasion (see the constraints) so a rerun never greets twice."""

    class Status(models.TextChoices):
        TO_SEND = "to_send", _("To send by the owner")
        EMAILED = "emailed", _("Emailed")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="greetings")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, null=True, blank=True, related_name="greetings"
    )
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    holiday = models.ForeignKey(
        Holiday, verbose_name=_("holiday"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TO_SEND)
    template = models.ForeignKey(
        GreetingTemplate, verbose_name=_("template"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    followup = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("greeting")
        verbose_name_plural = _("greetings")
        # One greeting per occasion: a birthday per contact; a company anniversary or a
        # holiday per partner, whoever its primary contact is by the time the task runs.
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "date"],
                condition=models.Q(occasion="birthday"),
                name="greeting_once_per_birthday",
            ),
            models.UniqueConstraint(
                fields=["partner", "date"],
                condition=models.Q(occasion="anniversary"),
                name="greeting_once_per_anniversary",
            ),
            models.UniqueConstraint(
                fields=["partner", "holiday"],
                condition=models.Q(occasion="holiday"),
                name="greeting_once_per_holiday",
            ),
            models.CheckConstraint(
                condition=~models.Q(occasion="birthday") | models.Q(contact__isnull=False),
                name="greeting_birthday_has_contact",
            ),
            models.CheckConstraint(
                condition=~models.Q(occasion="holiday") | models.Q(holiday__isnull=False),
                name="greeting_holiday_has_holiday",
            ),
        ]
        # Care calendar: greetings of the coming days.
        indexes = [models.Index(fields=["date"], name="greeting_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} {self.date.isoformat()}"


GIFT_VALUE_MAX = 100_000_000


class Gift(TimeStampedModel):
    """A gift or hospitality given or received (P3.1 integrity): recorded with its value and,
    above the threshold, approved by a manager of the partner's department."""

    class Direction(models.TextChoices):
        GIVEN = "given", _("Given")
        RECEIVED = "received", _("Received")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        NOT_REQUIRED = "not_required", _("No approval needed")

    class Currency(models.TextChoices):
        CNY = "CNY", "CNY"
        USD = "USD", "USD"
        EUR = "EUR", "EUR"
        HKD = "HKD", "HKD"
        JPY = "JPY", "JPY"

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="gifts")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="gifts"
    )
    description = models.CharField(_("gift or hospitality"), max_length=200)
    # In any of the currencies: no gift or hospitality is worth a hundred million; more is a typo.
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, validators=between(0, GIFT_VALUE_MAX))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    occasion = models.CharField(_("occasion"), max_length=100, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.GIVEN)
    date = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("approval"), max_length=15, choices=Status.choices, default=Status.NOT_REQUIRED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0),
                name="gift_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            )
        ]
        indexes = [
            # Gift register: default sort (newest first), filter by approval status.
            models.Index(fields=["-date", "-id"], name="gift_date_idx"),
            models.Index(fields=["status", "-date"], name="gift_status_idx"),
            models.Index(fields=["direction", "-date"], name="gift_direction_idx"),
            # Gift register: sort by value.
            models.Index(fields=["value"], name="gift_value_idx"),
            # Gift register filtered on one partner.
            models.Index(fields=["partner", "-date"], name="gift_partner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.value} {self.currency})"


class Campaign(TimeStampedModel):
    """Product news or a promotion emailed to consenting contacts of a segment (P4.2.3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    name = models.CharField(_("name"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"), max_length=10000)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200, blank=True)
    body_zh = models.TextField(_("text (Chinese)"), max_length=10000, blank=True)
    # Segment: which partners' contacts receive it.
    family = models.CharField(_("family"), max_length=20, choices=Family.choices, default=Family.CUSTOMER)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    # Kept for the record (P3.1), and so a stale edit can say what a colleague changed.
    history = HistoricalRecords(m2m_fields=[tags], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        # Campaign list: newest first.
        indexes = [models.Index(fields=["-created_at", "-id"], name="campaign_created_idx")]

    def __str__(self) -> str:
        return self.name

    def texts(self, language: str) -> tuple[str, str]:
        if language.lower().startswith("zh") and self.subject_zh and self.body_zh:
            return self.subject_zh, self.body_zh
        return self.subject_en, self.body_en


class CampaignRecipient(models.Model):
    """One contact a campaign was sent to, with the secret of their unsubscribe link
    (an HMAC of ``nonce``; only its SHA-256 is stored, as for survey links)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="recipients"
    )
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [models.UniqueConstraint(fields=["campaign", "contact"], name="campaign_recipient_once")]
        # Campaign scan: recipients whose email is not queued yet.
        indexes = [models.Index(fields=["queued_at"], name="campaign_recipient_queue_idx")]

    def __str__(self) -> str:
        return self.email
