"""Import jobs: create from an upload, preview (a dry run), confirm, apply.

The preview and the import run the same django-import-export resource (``resources.py``):
the preview inside a transaction that is rolled back, the import inside one that commits
only if every row saved (or, with "skip bad rows", every row that was not skipped). Both
steps claim the job with a conditional update, so a task delivered twice or a double
click does the work once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export.results import RowResult
from tablib import Dataset

from ..models import ImportJob
from .files import file_hash, read_table
from .resources import RESOURCES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = ImportJob.Status
ACTIONS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "update",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
}
PROGRESS_EVERY = 25
# The import tasks' hard time limit (partners.tasks.IMPORT_LIMITS).
IMPORT_TIME_LIMIT = 16 * 60


def progress_key(job_id: int) -> str:
    # Progress lives in the cache: the rows are written in one transaction that other
    # connections cannot see into until it commits.
    return f"rapport:import-progress:{job_id}"


def import_job_progress(job: ImportJob) -> int:
    if job.is_busy:
        return min(cache.get(progress_key(job.pk), job.processed), job.total)
    return job.processed


def import_job_create(*, user: User, kind: str, name: str, data: bytes) -> tuple[ImportJob, bool]:
    """The job for this upload and whether it is new: the same file uploaded again by the same
    user for the same kind finds its first job. A bad file raises ValidationError."""
    digest = file_hash(data)
    existing = ImportJob.objects.filter(user=user, kind=kind, file_hash=digest).first()
    if existing is not None:
        return existing, False
    table = read_table(name=name, data=data, kind=kind)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                user=user,
                kind=kind,
                file_hash=digest,
                filename=name[-200:],
                columns=table.columns,
                headers=table.headers,
                rows=table.rows,
                total=len(table.rows),
                language=translation.get_language() or "",
            )
    except IntegrityError:  # the same file, submitted twice at once
        return ImportJob.objects.get(user=user, kind=kind, file_hash=digest), False
    return job, True


def runs_in_background(job: ImportJob) -> bool:
    return job.total > settings.RAPPORT_IMPORT_ASYNC_ROWS


def _row_label(job: ImportJob, values: list) -> str:
    for name in ("name", "subject"):
        if name in job.columns:
            return str(values[job.columns.index(name)])
    return ""


def _run(job: ImportJob, rows: list[list], *, dry_run: bool, skip_bad_rows: bool):
    """Run the resource over ``rows`` ([line, values...]); the per-row results and counts."""
    dataset = Dataset(*[row[1:] for row in rows], headers=job.columns)
    done = {"n": 0}

    def on_row(number: int) -> None:
        done["n"] = number
        if number % PROGRESS_EVERY == 0:
            cache.set(progress_key(job.pk), number, 3600)

    resource = RESOURCES[job.kind](user=job.user, on_row=on_row)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=not skip_bad_rows,
    )
    header_of = dict(zip(job.columns, job.headers, strict=True))
    results = []
    counts = {"new": 0, "update": 0, "unchanged": 0, "error": 0}
    for row, row_result in zip(rows, result.rows, strict=False):
        errors = []
        if row_result.validation_error is not None:
            for name, messages in row_result.validation_error.message_dict.items():
                column = "" if name == NON_FIELD_ERRORS else header_of.get(name, name)
                errors += [{"column": column, "message": m} for m in messages]
        for error in row_result.errors:
            errors.append(
                {"column": "", "message": _("This row could not be saved: %(error)s") % {"error": error.error}}
            )
        action = "error" if errors else ACTIONS.get(row_result.import_type, "unchanged")
        counts[action] += 1
        results.append({"line": row[0], "action": action, "label": _row_label(job, row[1:]), "errors": errors})
    for error in result.base_errors:
        counts["error"] += 1
        results.append(
            {"line": 0, "action": "error", "label": "", "errors": [{"column": "", "message": str(error.error)}]}
        )
    return results, counts, result


def _claim(job_id: int, *, waiting: str, working: str) -> bool:
    """Take the job from ``waiting`` to ``working``; also take back one left ``working`` by a
    worker killed past the task's time limit (its transaction was rolled back: nothing of it
    was written), when the broker delivers its task again."""
    abandoned = timezone.now() - dt.timedelta(seconds=IMPORT_TIME_LIMIT + 60)
    return bool(
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=waiting) | Q(status=working, updated_at__lt=abandoned))
        .update(status=working, processed=0, updated_at=timezone.now())
    )


def import_job_preview(*, job_id: int) -> ImportJob:
    """Check every row without writing anything (a dry run rolled back)."""
    if not _claim(job_id, waiting=Status.PREVIEW_QUEUED, working=Status.PREVIEWING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language or None):
        results, counts, _result = _run(job, job.rows, dry_run=True, skip_bad_rows=True)
    job.results, job.counts, job.processed, job.status = results, counts, job.total, Status.PREVIEWED
    job.save(update_fields=["results", "counts", "processed", "status", "updated_at"])
    cache.delete(progress_key(job.pk))
    return job


def import_job_confirm(*, job: ImportJob, skip_bad_rows: bool) -> bool:
    """Queue a previewed job for import; False if it already was (a second click)."""
    if job.counts.get("error") and not skip_bad_rows:
        return False
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
            status=Status.QUEUED, skip_bad_rows=skip_bad_rows, processed=0, updated_at=timezone.now()
        )
    )


def import_job_apply(*, job_id: int) -> ImportJob:
    """Import the rows: all or nothing, or, with skip_bad_rows, all but the bad ones (which
    are kept on the job for download). Runs once whatever calls it twice."""
    if not _claim(job_id, waiting=Status.QUEUED, working=Status.RUNNING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    bad = {r["line"]: r["errors"] for r in job.results if r["action"] == "error"}
    rows = [row for row in job.rows if row[0] not in bad] if job.skip_bad_rows else job.rows
    skipped = [
        {"line": row[0], "values": row[1:], "errors": bad[row[0]]}
        for row in job.rows
        if job.skip_bad_rows and row[0] in bad
    ]
    with translation.override(job.language or None):
        results, counts, result = _run(job, rows, dry_run=False, skip_bad_rows=job.skip_bad_rows)
        message = _("Nothing was imported: some rows could not be saved.")
    failed = result.has_errors() or (not job.skip_bad_rows and result.has_validation_errors())
    job.finished_at = timezone.now()
    job.processed = job.total
    if failed:
        job.status = Status.FAILED
        job.message = message
        job.results = results
    else:
        values_of = {row[0]: row[1:] for row in rows}
        skipped += [
            {"line": r["line"], "values": values_of.get(r["line"], []), "errors": r["errors"]}
            for r in results
            if r["action"] == "error"
        ]
        counts["error"] = len(skipped)
        job.status = Status.DONE
        job.skipped = sorted(skipped, key=lambda s: s["line"])
        job.counts = counts
    job.save()
    cache.delete(progress_key(job.pk))
    return job
