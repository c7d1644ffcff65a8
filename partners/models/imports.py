"""Spreadsheet imports into the registry: one ImportJob per uploaded file (partners/importing/).

The job holds the parsed rows, the preview's per-row results and the outcome, so the Celery
task takes only its id, and a second upload of the same file by the same user finds the job
(the unique key) instead of importing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import choice_label
from crm.models import TimeStampedModel


class ImportKind(models.TextChoices):
    PARTNERS = "partners", _("Partners")
    CONTACTS = "contacts", _("Contacts")
    INTERACTIONS = "interactions", _("Interactions")
    TAGS = "tags", _("Tags")


ROWS_BOUND = 10_000_000


class ImportJob(TimeStampedModel):
    class Status(models.TextChoices):
        PREVIEW_QUEUED = "preview_queued", _("Waiting for the preview")
        PREVIEWING = "previewing", _("Checking the rows")
        PREVIEWED = "previewed", _("Ready to confirm")
        QUEUED = "queued", _("Waiting to import")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.CASCADE, related_name="+"
    )
    file_hash = models.CharField(_("file hash"), max_length=64)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEW_QUEUED)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    # The importer's language when uploading: the row messages a task stores are in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The file as read (partners/importing/files.py): canonical column names, the headers as
    # the file spelled them, and the rows with their line numbers in the file.
    columns = models.JSONField(_("columns"), default=list)
    headers = models.JSONField(_("headers"), default=list)
    rows = models.JSONField(_("rows"), default=list)
    # Far above any RAPPORT_IMPORT_MAX_ROWS a file may have.
    total = models.PositiveIntegerField(
        _("rows"), default=0, validators=[MinValueValidator(0), MaxValueValidator(ROWS_BOUND)]
    )
    processed = models.PositiveIntegerField(
        _("rows processed"), default=0, validators=[MinValueValidator(0), MaxValueValidator(ROWS_BOUND)]
    )
    # {"new": n, "update": n, "unchanged": n, "error": n}
    counts = models.JSONField(_("counts"), default=dict)
    # [{"line": 2, "action": "new", "label": "...", "errors": [{"column": "...", "message": "..."}]}]
    results = models.JSONField(_("results"), default=list)
    skipped = models.JSONField(_("skipped rows"), default=list)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # A second submit of the same file finds this job: nothing is imported twice.
            models.UniqueConstraint(fields=["user", "kind", "file_hash"], name="importjob_unique_file"),
        ]
        indexes = [
            # The import page lists the user's recent imports.
            models.Index(fields=["user", "-created_at"], name="importjob_user_idx"),
        ]

    def __str__(self) -> str:
        return self.filename

    def get_kind_display(self) -> str:
        return choice_label(ImportKind, self.kind)

    def get_status_display(self) -> str:
        return choice_label(ImportJob.Status, self.status)

    @property
    def is_busy(self) -> bool:
        return self.status in (
            self.Status.PREVIEW_QUEUED,
            self.Status.PREVIEWING,
            self.Status.QUEUED,
            self.Status.RUNNING,
        )

    @property
    def is_previewed(self) -> bool:
        return self.status == self.Status.PREVIEWED

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
