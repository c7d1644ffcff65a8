"""Cross-cutting models: departments and the user profile (stock auth.User stays)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .bilingual import in_language
from .cleaning import between
from .uploads import storage_name


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Department(models.Model):
    """An internal department (Procurement, Sales, ...). Partners and users belong to one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (the Chinese one when set)."""
        return in_language(self.name, self.name_zh)


class Profile(models.Model):
    """What auth.User lacks: the user's department and preferences."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    notification_mode = models.CharField(
        _("notifications"), max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """An in-app notification. Each is an *effect* with a unique key (kind, object, period,
    recipient): a scan that runs twice or a task delivered twice creates it once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_ref = models.CharField(_("object"), max_length=80)
    period = models.CharField(_("period"), max_length=20)
    # The kind's parameters (JSON; dates as ISO strings): the text is rendered from the kind's
    # wording in the reader's language when shown (crm.notifications.notification_text).
    # Null on rows made before: they show ``title``.
    params = models.JSONField(_("parameters"), null=True, blank=True)
    # The text in the recipient's language when it was made: the admin's, and the fallback.
    title = models.CharField(_("title"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "object_ref", "period"], name="notification_once")
        ]
        # The bell (unread count) and the notification list.
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title


class OutboundEmail(models.Model):
    """An email to send, written in the same transaction as its cause.

    Unique per (recipient, kind, object, period): a daily digest is one row per user per
    day. It is marked sent only after the SMTP server accepted it; a send interrupted by a
    dead worker is retried by the email scan (at-least-once delivery, never silently lost).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Not sent on purpose: the contact withdrew consent after the email was queued.
        CANCELLED = "cancelled", _("Cancelled")

    # Empty for people who are not users (a partner's contact invited to a survey): their
    # emails are unique per (kind, object, period) instead, see "email_once_external".
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    to_address = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=40)
    object_ref = models.CharField(_("object"), max_length=80, default="-")
    period = models.CharField(_("period"), max_length=20)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Extra headers, such as a campaign's List-Unsubscribe (RFC 2369, RFC 8058).
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # notifications.MAX_ATTEMPTS (5) ends the retries; 100 leaves room to raise it.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, validators=between(0, 100))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "object_ref", "period"], name="email_once"),
            # NULLs never clash in a unique index: emails to non-users need their own key.
            models.UniqueConstraint(
                fields=["kind", "object_ref", "period"],
                condition=models.Q(recipient__isnull=True),
                name="email_once_external",
            ),
        ]
        # The email scan picks pending and stuck rows; the operations page lists failures.
        indexes = [models.Index(fields=["state", "created_at"], name="email_state_idx")]

    def __str__(self) -> str:
        return self.subject


def stale_after() -> dt.timedelta:
    """A scan still running after this long was killed with its worker (settings)."""
    return dt.timedelta(seconds=settings.RAPPORT_SCAN_STALE_AFTER)


# Stored, not shown as such: the operations page labels these runs in the reader's language.
SCAN_ABANDONED_ERROR = "Abandoned: still running after the task time limit (its worker was killed)."


class ScanRun(models.Model):
    """One run of a periodic scan, for the operations page."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("OK")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("scan"), max_length=60)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    effects = models.PositiveIntegerField(_("effects"), default=0, validators=between(0, 10_000_000))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("scan run")
        verbose_name_plural = _("scan runs")
        # Operations page: latest runs of each scan.
        indexes = [models.Index(fields=["name", "-started_at"], name="scanrun_latest_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None

    @property
    def is_stale(self) -> bool:
        """Still "running" after every task's time limit: its worker died under it."""
        return self.outcome == self.Outcome.RUNNING and self.started_at < timezone.now() - stale_after()

    @property
    def was_abandoned(self) -> bool:
        return self.outcome == self.Outcome.FAILED and self.error == SCAN_ABANDONED_ERROR


class CalendarToken(models.Model):
    """The secret of a user's private iCalendar feed; revoking makes a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"{self.user} calendar"


class TaskFailure(models.Model):
    """A Celery task that raised (after its retries), for the operations page."""

    task = models.CharField(_("task"), max_length=120)
    task_id = models.CharField(max_length=60, blank=True)
    args = models.TextField(_("arguments"), blank=True)
    error = models.TextField(_("error"))
    failed_at = models.DateTimeField(_("failed"), auto_now_add=True)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = _("task failure")
        verbose_name_plural = _("task failures")
        # Operations page: newest failures.
        indexes = [models.Index(fields=["-failed_at"], name="taskfailure_recent_idx")]

    def __str__(self) -> str:
        return f"{self.task} {self.failed_at:%Y-%m-%d %H:%M}"


class Heartbeat(models.Model):
    """When the worker last ran the heartbeat task (beat → broker → worker round trip), when
    beat last started and when its loop last ticked, for the operations page and /readyz
    (crm/health.py). One row per kind, overwritten."""

    class Kind(models.TextChoices):
        WORKER = "worker", _("Last heartbeat task run by a worker")
        BEAT_START = "beat_start", _("Beat started")
        BEAT_TICK = "beat_tick", _("Beat's last tick")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, unique=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, kind: str, *, at=None) -> None:
        cls.objects.update_or_create(kind=kind, defaults={"at": at or timezone.now()})


class FormSubmission(models.Model):
    """One row per form render that was submitted (issue 10 §7): a double click or a resent
    POST carries the same token, finds the row, and gets the first submission's result instead
    of doing the work twice. Rows older than a day are deleted by the ``form_submissions`` scan."""

    token = models.CharField(max_length=64, unique=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=500)
    result_url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.path} {self.token[:8]}"


def corrective_evidence_path(instance, filename: str) -> str:
    """The server's own name for an evidence file (crm/uploads.py): never the browser's."""
    return storage_name("corrective_actions", filename)


class CorrectiveAction(TimeStampedModel):
    """One corrective action, whatever raised it (docs/architecture.md, "One corrective-action
    concept"): a scorecard's corrective action plan (P4.1.3), a supervision finding (P5.1), the
    annual report's improvement plan (P5.2).

    open → responded (the owner's response and evidence, awaiting verification) → verified
    (closed, frozen); a refused verification sends it back to open with the supervisor's note.
    Cancelled: withdrawn by a manager of the department (or whoever raised it). "Overdue" is
    not stored: open or responded with ``due_on`` in the past (``corrective_action_overdue_q``).
    The rules are in ``crm.services`` (writes) and ``crm.selectors`` (who sees, responds, verifies).
    """

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        RESPONDED = "responded", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        CANCELLED = "cancelled", _("Cancelled")

    # What raised it: a corrective action plan, a finding, a plan item (any model).
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("raised by (kind)"), on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(
        _("raised by (id)"), validators=[MinValueValidator(1), MaxValueValidator(2**63 - 1)]
    )
    source = GenericForeignKey("source_type", "source_id")
    description = models.CharField(_("action"), max_length=500)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="corrective_actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_actions"
    )
    due_on = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    response = models.TextField(_("response"), max_length=5000, blank=True)
    evidence = models.FileField(
        pgettext_lazy("corrective action", "evidence"), upload_to=corrective_evidence_path, max_length=200, blank=True
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The last verification: accepted (state verified) or refused (back to open) and why.
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verification_note = models.TextField(_("verification note"), max_length=5000, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=5000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="corrective_action_description_required"),
        ]
        indexes = [
            # A source's page lists its actions (actions_for_source).
            models.Index(fields=["source_type", "source_id"], name="action_source_idx"),
            # The list: "my actions" and the reminder scans (open ones by due date).
            models.Index(fields=["owner", "state", "due_on"], name="action_owner_state_idx"),
            # The list filtered by department and state, sorted by due date; managers' view.
            models.Index(fields=["department", "state", "due_on"], name="action_dept_state_idx"),
            # Supervision's view and the scans: every action in a state, by due date.
            models.Index(fields=["state", "due_on"], name="action_state_due_idx"),
            # The working view (open or responded: OPEN_ACTION_STATES), by due date: read in
            # order, the page ends the read (the two states' index above gave 13,000 rows to
            # sort at 100,000 partners: 20 ms).
            models.Index(
                fields=["due_on", "id"],
                name="action_active_due_idx",
                condition=models.Q(state__in=["open", "responded"]),
            ),
            # Supervision's home: the responded actions awaiting verification, oldest response
            # first (a bitmap scan and a sort of 5,400 rows, 13 ms, at 100,000 partners).
            models.Index(
                fields=["responded_at", "id"], name="action_responded_idx", condition=models.Q(state="responded")
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("corrective_action_detail", args=[self.pk])

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state in OPEN_ACTION_STATES and self.due_on < today

    @property
    def is_closed(self) -> bool:
        return self.state in (self.State.VERIFIED, self.State.CANCELLED)


OPEN_ACTION_STATES = (CorrectiveAction.State.OPEN, CorrectiveAction.State.RESPONDED)


def corrective_action_overdue_q(today) -> Q:
    """Open or awaiting verification, past the due date: the one definition of "overdue"."""
    return Q(state__in=OPEN_ACTION_STATES, due_on__lt=today)


class ApiToken(models.Model):
    """A personal token for the JSON API (crm/api.py), created and revoked on the profile page.

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is made.
    A revoked token keeps its row (who used what, when) and fails at the next request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=12)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        # The profile page lists a user's tokens, newest first.
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.name}"
