"""Agreements with partners and their execution (P4.3.2).

An ``Agreement`` binds one or more partners (a multi-party agreement) for a term, with a scope,
benefit-sharing terms, a renewal notice period and a review cadence. Its ``Obligation`` rows say
which side owes what by when; an obligation of ours is also a follow-up of its owner (the
registry's reminders chase it). ``ExecutionReview`` rows record the periodic execution checks,
each with its rating, issues, negotiated resolution and corrective actions (the kernel's
``CorrectiveAction``, raised with the review as source). A renewal is a new agreement that
``renews`` the old one.

The status moves draft → active → expiring (inside the notice period) → expired, by the
``agreements`` scan; terminated and renewed are decided by a manager.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm.choices import choice_label
from crm.models import Department, TimeStampedModel
from crm.uploads import storage_name
from partners.models import FollowUp, Partner

TEXT_MAX = 4000
NOTICE_MAX_DAYS = 365


class AgreementType(models.TextChoices):
    SUPPLY = "supply", _("Supply contract")
    COOPERATION = "cooperation", _("Cooperation agreement")
    DISTRIBUTION = "distribution", _("Distribution agreement")
    MEMBERSHIP = "membership", _("Membership agreement")
    NDA = "nda", _("Non-disclosure agreement")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("agreement status", "Draft")
    ACTIVE = "active", pgettext_lazy("agreement status", "Active")
    EXPIRING = "expiring", pgettext_lazy("agreement status", "Expiring")
    EXPIRED = "expired", pgettext_lazy("agreement status", "Expired")
    TERMINATED = "terminated", pgettext_lazy("agreement status", "Terminated")
    RENEWED = "renewed", pgettext_lazy("agreement status", "Renewed")


# In force: what the overlap rule, the reviews and the obligations' reminders look at.
IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)
# Statuses a manager chooses on the form; the others are reached by the scan or an action.
FORM_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.ACTIVE)


STATUS_BADGES = {
    AgreementStatus.ACTIVE: "text-bg-success",
    AgreementStatus.EXPIRING: "text-bg-warning",
    AgreementStatus.EXPIRED: "text-bg-secondary",
    AgreementStatus.TERMINATED: "text-bg-danger",
    AgreementStatus.RENEWED: "text-bg-info",
}


class Cadence(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


CADENCE_MONTHS = {Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6, Cadence.YEARLY: 12}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``, on the month's last day when the day does not exist (31 → 30)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


class Agreement(TimeStampedModel):
    """An agreement with one or more partners (P4.3.2)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=AgreementType.choices)
    partners = models.ManyToManyField(Partner, verbose_name=_("partners"), related_name="agreements")
    # The department that manages it: its managers edit it, its staff update the obligations.
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="agreements"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="agreements"
    )
    scope = models.TextField(_("scope"), max_length=TEXT_MAX)
    benefit_sharing = models.TextField(_("benefit-sharing terms"), max_length=TEXT_MAX, blank=True)
    starts_on = models.DateField(_("term start"))
    ends_on = models.DateField(_("term end"))
    notice_days = models.PositiveSmallIntegerField(
        _("renewal notice period (days)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(NOTICE_MAX_DAYS)],
        help_text=_("The owner and the department's managers are told this many days before the end."),
    )
    review_cadence = models.CharField(
        _("execution review cadence"), max_length=20, choices=Cadence.choices, default=Cadence.HALF_YEARLY
    )
    next_review_on = models.DateField(_("next execution review"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    renews = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]
        indexes = [
            # The agreements list's status filter and its default sort (soonest end first),
            # and the scan's expiry notices.
            models.Index(fields=["status", "ends_on"], name="agreement_status_end_idx"),
            # The list's sort by start.
            models.Index(fields=["starts_on"], name="agreement_start_idx"),
            # The scan's reviews due and the dashboard's "reviews due".
            models.Index(fields=["next_review_on"], name="agreement_review_idx"),
            # The list's department filter.
            models.Index(fields=["department", "status"], name="agreement_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.pk])

    def get_kind_display(self) -> str:
        return choice_label(AgreementType, self.kind)

    def get_status_display(self) -> str:
        return choice_label(AgreementStatus, self.status)

    @property
    def badge_class(self) -> str:
        """The status badge's colour on every page."""
        return STATUS_BADGES.get(self.status, "text-bg-light border")

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE

    @property
    def notice_on(self) -> dt.date:
        """The day the renewal notice is due."""
        return self.ends_on - dt.timedelta(days=self.notice_days)

    def first_review_on(self) -> dt.date:
        return add_months(self.starts_on, CADENCE_MONTHS[self.review_cadence])


def agreement_upload_to(instance, filename: str) -> str:
    """The server's own storage name (crm/uploads.py), never the browser's."""
    return storage_name("agreements", filename)


class AgreementDocument(TimeStampedModel):
    """A signed copy, an annex or an amendment of an agreement."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=agreement_upload_to, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self) -> str:
        return self.title


class Party(models.TextChoices):
    OURS = "ours", _("We owe it")
    THEIRS = "theirs", _("The partner owes it")


class ObligationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("obligation status", "Open")
    MET = "met", pgettext_lazy("obligation status", "Met")
    LATE = "late", pgettext_lazy("obligation status", "Met late")
    MISSED = "missed", pgettext_lazy("obligation status", "Missed")
    WAIVED = "waived", pgettext_lazy("obligation status", "Waived")


class Obligation(TimeStampedModel):
    """Who owes what by when under an agreement (P4.3.2 rights and obligations)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="obligations"
    )
    party = models.CharField(_("owed by"), max_length=10, choices=Party.choices)
    description = models.CharField(_("obligation"), max_length=300)
    due_on = models.DateField(_("due date"))
    # Ours: the colleague who delivers it; theirs: who chases the partner (else the agreement's owner).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_obligations",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    # An obligation of ours is also its owner's follow-up (the registry's reminders chase it).
    followup = models.OneToOneField(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="obligation",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        indexes = [
            # The scan's obligations due and the dashboard's list.
            models.Index(fields=["status", "due_on"], name="obligation_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description

    def get_status_display(self) -> str:
        return choice_label(ObligationStatus, self.status)

    def get_party_display(self) -> str:
        return choice_label(Party, self.party)


class Rating(models.IntegerChoices):
    POOR = 1, _("1 — poor")
    WEAK = 2, _("2 — weak")
    FAIR = 3, _("3 — fair")
    GOOD = 4, _("4 — good")
    EXCELLENT = 5, _("5 — excellent")


class ExecutionReview(TimeStampedModel):
    """A periodic check of how an agreement is executed (P4.3.2 "checked and evaluated
    periodically; problems found early and settled by negotiation"). ``due_on`` is the review
    date it answers: one review per agreement and due date."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="reviews"
    )
    due_on = models.DateField(_("due date"))
    reviewed_on = models.DateField(_("reviewed on"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=Rating.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    issues = models.TextField(_("issues found"), max_length=TEXT_MAX, blank=True)
    resolution = models.TextField(_("negotiated resolution"), max_length=TEXT_MAX, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("execution review")
        verbose_name_plural = _("execution reviews")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "due_on"], name="review_once_per_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.due_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.agreement_id]) + "#reviews"

    @property
    def on_time(self) -> bool:
        return self.reviewed_on <= self.due_on
