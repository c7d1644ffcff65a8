"""Import pages: upload → preview → confirm → progress → result; templates; full export."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from crm.csv_export import csv_response, xlsx_workbook_response
from crm.roles import role_required

from .. import selectors, tasks
from ..models import ImportJob, ImportKind
from . import services
from .columns import COLUMNS, headers_for
from .exporting import registry_sheets
from .forms import ImportConfirmForm, ImportUploadForm

RESULTS_PAGE_SIZE = 50
ACTION_LABELS = {
    "new": _lazy("New"),
    "update": _lazy("Update"),
    "unchanged": _lazy("Unchanged"),
    "error": _lazy("Error"),
}
TEMPLATE_LANGUAGES = ("en", "zh-hans")


def importer_required(view):
    """Managers and superusers (``selectors.can_import_partners``)."""

    @role_required(write=True)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.can_import_partners(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _start_preview(job: ImportJob) -> None:
    if services.runs_in_background(job):
        transaction.on_commit(lambda: tasks.import_job_preview_task.delay(job.pk))
    else:
        services.import_job_preview(job_id=job.pk)


@importer_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a file; the rows are checked (nothing written) and shown for confirmation."""
    if request.method == "POST":
        form = ImportUploadForm(
            request.POST, request.FILES, upload_too_large=getattr(request, "upload_too_large", False)
        )
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job, created = services.import_job_create(
                    user=request.user, kind=form.cleaned_data["kind"], name=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                if created:
                    _start_preview(job)
                else:
                    messages.info(request, _("This file was uploaded before: here is its import."))
                return redirect("partners:import_job", pk=job.pk)
    else:
        form = ImportUploadForm(initial={"kind": request.GET.get("kind", ImportKind.PARTNERS)})
    context = {
        "form": form,
        "jobs": selectors.import_job_list_for_user(user=request.user)[:10],
        "kinds": ImportKind.choices,
        "max_rows": settings.RAPPORT_IMPORT_MAX_ROWS,
        "template_languages": [("en", _("English headers")), ("zh-hans", _("Chinese headers"))],
    }
    return render(request, "partners/import_start.html", context)


@importer_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (or the outcome) of one import; while it runs, a progress bar that htmx
    refreshes (and, without JavaScript, the page itself every few seconds)."""
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    show = request.GET.get("show", "")
    results = [r for r in job.results if r["action"] == "error"] if show == "errors" else job.results
    page = Paginator(results, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [{**r, "action_label": ACTION_LABELS[r["action"]]} for r in page.object_list]
    progress = services.import_job_progress(job)
    context = {
        "job": job,
        "progress": progress,
        "percent": int(100 * progress / job.total) if job.total else 0,
        "counts": [(ACTION_LABELS[a], job.counts.get(a, 0)) for a in ACTION_LABELS],
        "page": page,
        "show": show,
        "confirm_form": ImportConfirmForm(initial={"skip_bad_rows": bool(job.counts.get("error"))}),
        "can_confirm": job.status == ImportJob.Status.PREVIEWED and len(job.results) > job.counts.get("error", 0),
    }
    return render(request, "partners/import_job.html", context)


@importer_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    form = ImportConfirmForm(request.POST)
    skip = form.is_valid() and form.cleaned_data["skip_bad_rows"]
    if job.counts.get("error") and not skip:
        messages.error(request, _("Some rows have errors: fix the file, or choose to skip the bad rows."))
        return redirect("partners:import_job", pk=job.pk)
    if not services.import_job_confirm(job=job, skip_bad_rows=skip):
        messages.info(request, _("This import was already confirmed."))
        return redirect("partners:import_job", pk=job.pk)
    if services.runs_in_background(job):
        transaction.on_commit(lambda: tasks.import_job_apply_task.delay(job.pk))
        messages.success(request, _("The import has started; this page shows its progress."))
        return redirect("partners:import_job", pk=job.pk)
    job = services.import_job_apply(job_id=job.pk)
    if job.status == ImportJob.Status.DONE:
        messages.success(request, _("The file was imported."))
    else:
        messages.error(request, job.message)
    return redirect("partners:import_job", pk=job.pk)


@importer_required
def import_skipped(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows an import skipped, with their errors, to fix and import again."""
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    rows = (
        [
            *item["values"],
            item["line"],
            "; ".join(f"{e['column']}: {e['message']}" if e["column"] else e["message"] for e in item["errors"]),
        ]
        for item in job.skipped
    )
    header = [*job.headers, _("Row in the file"), _("Errors")]
    return csv_response(filename=f"skipped-rows-{job.pk}.csv", header=header, rows=rows)


@importer_required
def import_template(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    """An empty file with the columns of ``kind``, headed in English or Chinese."""
    if kind not in COLUMNS or language not in TEMPLATE_LANGUAGES:
        raise Http404
    return csv_response(filename=f"rapport-{kind}-{language}.csv", header=headers_for(kind, language), rows=[])


@role_required()
def export_all(request: HttpRequest) -> HttpResponse:
    """Partners, contacts, tags and interactions, one sheet each, in the columns the import
    reads: import it into an empty database and the same data comes back."""
    stamp = timezone.localdate().isoformat()
    return xlsx_workbook_response(filename=f"rapport-registry-{stamp}.xlsx", sheets=registry_sheets(get_language()))
