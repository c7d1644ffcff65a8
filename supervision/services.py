"""Writes of the supervision group's work (P5.1): plans and checklists, samples and grades,
visits, findings and the actions raised from them. Each refuses what the rules refuse, with
a message keyed by field, and writes all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from crm.concurrency import check_version
from crm.models import stale_after
from crm.notifications import enqueue_safely, notify, object_ref, register_kind, user_language
from crm.selectors import department_managers
from crm.services import corrective_action_raise
from partners.services import interaction_log

from . import (
    report_exports,
    selectors,
    tasks,  # tasks import this module too: both use each other only at call time
)
from .clauses import BY_CODE, CLAUSES
from .coverage import BY_KEY
from .models import (
    AnnualReport,
    ChecklistItem,
    CoverageTarget,
    Finding,
    Grade,
    InspectionPlan,
    ReportPlanItem,
    Sample,
    SampleItem,
    Visit,
)
from .report import annual_figures
from .sampling import KINDS, draw, new_seed, population

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from partners.models import Partner


def _require_supervisor(user) -> None:
    if not selectors.may_supervise(user):
        raise PermissionDenied


def plan_problems(data: dict) -> dict[str, str]:
    problems = {}
    start, end, year = data.get("period_start"), data.get("period_end"), data.get("year")
    if start and end and end < start:
        problems["period_end"] = _("The period ends before it starts.")
    if year and start and end and not (start.year <= year <= end.year):
        problems["year"] = _("The year must fall within the period inspected.")
    return problems


@transaction.atomic
def plan_create(*, data: dict, departments, by: User) -> InspectionPlan:
    """A plan with its checklist seeded from the policy's clauses, in both languages."""
    _require_supervisor(by)
    if problems := plan_problems(data):
        raise ValidationError(problems)
    plan = InspectionPlan.objects.create(created_by=by, **data)
    plan.departments.set(departments)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(plan=plan, position=(index + 1) * 10, clause=c.code, text_en=c.check_en, text_zh=c.check_zh)
        for index, c in enumerate(CLAUSES)
    )
    # bulk_create skips django-simple-history: record the first version of each item.
    for item in plan.checklist.all():
        item.save()
    return plan


@transaction.atomic
def plan_update(*, plan: InspectionPlan, data: dict, departments, by: User) -> InspectionPlan:
    _require_supervisor(by)
    if problems := plan_problems(data):
        raise ValidationError(problems)
    for field, value in data.items():
        setattr(plan, field, value)
    plan.save()
    plan.departments.set(departments)
    return plan


@transaction.atomic
def checklist_save(*, plan: InspectionPlan, formset, by: User) -> None:
    """Saves the edited checklist; every change is kept in the items' history."""
    _require_supervisor(by)
    items = formset.save(commit=False)
    for item in items:
        item.plan = plan
        item.save()
    for item in formset.deleted_objects:
        if SampleItem.objects.filter(checklist_item=item).exists():
            raise ValidationError(_("“%(item)s” has graded records: change its text instead.") % {"item": item.text})
        item.delete()


@transaction.atomic
def sample_draw(*, plan: InspectionPlan, kind: str, size: int, seed: int | None, by: User) -> Sample:
    """Draws ``size`` records of ``kind`` from the plan's scope; the seed is kept and shown so
    the same seed redraws the same sample."""
    _require_supervisor(by)
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose what to sample.")})
    spec = KINDS[kind]
    InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    ids = list(population(plan=plan, kind=spec).values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"kind": _("No records of this kind in the plan's scope and period.")})
    if size > len(ids):
        raise ValidationError(
            {"size": _("The sample is larger than the records in scope (%(count)d).") % {"count": len(ids)}}
        )
    seed = new_seed() if seed is None else seed
    chosen = draw(ids, size, seed)
    records = spec.model._default_manager.select_related("partner").in_bulk(chosen)
    sample = Sample.objects.create(plan=plan, kind=kind, size=size, seed=seed, population=len(ids), drawn_by=by)
    from django.contrib.contenttypes.models import ContentType

    record_type = ContentType.objects.get_for_model(spec.model)
    SampleItem.objects.bulk_create(
        SampleItem(
            sample=sample,
            position=position,
            record_type=record_type,
            record_id=pk,
            label=spec.describe(records[pk])[:300],
            department_id=records[pk].partner.department_id,
        )
        for position, pk in enumerate(chosen, start=1)
    )
    if plan.status == InspectionPlan.Status.PLANNED:
        plan.status = InspectionPlan.Status.IN_PROGRESS
        plan.save(update_fields=["status", "updated_at"])
    return sample


@transaction.atomic
def sample_item_grade(*, item: SampleItem, grade: str, checklist_item: ChecklistItem | None, note: str, by: User):
    _require_supervisor(by)
    item = SampleItem.objects.select_for_update().select_related("sample__plan").get(pk=item.pk)
    if item.sample.plan.status == InspectionPlan.Status.CLOSED:
        raise ValidationError(_("The inspection is closed: its grades are final."))
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose a grade.")})
    if checklist_item is not None and checklist_item.plan_id != item.sample.plan_id:
        raise ValidationError({"checklist_item": _("Choose an item of this plan's checklist.")})
    if grade == Grade.DOES_NOT_CONFORM and checklist_item is None:
        raise ValidationError({"checklist_item": _("Say which checklist item the record does not conform to.")})
    item.grade, item.checklist_item, item.note = grade, checklist_item, note
    item.graded_by, item.graded_at = by, timezone.now()
    item.save()
    return item


@transaction.atomic
def plan_close(*, plan: InspectionPlan, by: User) -> InspectionPlan:
    _require_supervisor(by)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if SampleItem.objects.filter(sample__plan=plan, grade="").exists():
        raise ValidationError(_("Grade every sampled record before closing the inspection."))
    plan.status = InspectionPlan.Status.CLOSED
    plan.save(update_fields=["status", "updated_at"])
    return plan


# The notices' wording, translated in each reader's language when shown (crm.notifications).
SUPERVISION_VISIT = register_kind(
    "supervision_visit", gettext_noop("The supervision group visited %(partner)s on %(date)s")
)
FINDING_RECORDED = register_kind(
    "finding_recorded",
    gettext_noop("Supervision finding for your department: %(title)s (respond by %(date)s)"),
)


@transaction.atomic
def visit_record(*, partner: Partner, data: dict, plan: InspectionPlan | None, by: User) -> Visit:
    """A partner visit (P5.1): also a "visit" interaction on the partner's timeline, and the
    partner's owner is told at once."""
    _require_supervisor(by)
    visited_on: dt.date = data["visited_on"]
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("Record a visit once it has taken place.")})
    with override(user_language(partner.owner) if partner.owner_id else None):
        subject = _("Supervision group visit")
    interaction = interaction_log(
        partner=partner,
        author=by,
        data={
            "kind": "visit",
            "occurred_at": timezone.make_aware(dt.datetime.combine(visited_on, dt.time(12))),
            "subject": subject,
            "summary": data["feedback"],
            "outcome": data.get("met", ""),
        },
    )
    visit = Visit.objects.create(partner=partner, plan=plan, interaction=interaction, visited_by=by, **data)
    owner = partner.owner
    if owner is not None and owner.is_active and owner.pk != by.pk:
        notify(
            recipient=owner,
            kind=SUPERVISION_VISIT,
            obj_ref=object_ref(visit),
            period="-",
            params={"partner": partner.name, "date": visited_on},
            link=partner.get_absolute_url(),
        )
    return visit


@transaction.atomic
def finding_record(*, data: dict, evidence, by: User) -> Finding:
    """A finding against a clause, addressed to a department, whose managers are told."""
    _require_supervisor(by)
    if data.get("clause") not in BY_CODE:
        raise ValidationError({"clause": _("Choose the policy clause the finding is about.")})
    plan = data.get("plan")
    evidence = list(evidence)
    if plan is not None and any(item.sample.plan_id != plan.pk for item in evidence):
        raise ValidationError({"evidence": _("Evidence must come from this plan's samples.")})
    finding = Finding.objects.create(created_by=by, **data)
    finding.evidence.set(evidence)
    for manager in department_managers(finding.department_id):
        notify(
            recipient=manager,
            kind=FINDING_RECORDED,
            obj_ref=object_ref(finding),
            period="-",
            params={"title": finding.title, "date": finding.response_due},
            link=finding.get_absolute_url(),
        )
    return finding


@transaction.atomic
def finding_respond(*, finding: Finding, response: str, by: User) -> Finding:
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if not selectors.may_respond_to_finding(by, finding):
        raise PermissionDenied
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write the department's response.")})
    finding.response, finding.responded_by, finding.responded_at = response, by, timezone.now()
    finding.status = Finding.Status.RESPONDED
    finding.save()
    return finding


@transaction.atomic
def finding_close(*, finding: Finding, by: User) -> Finding:
    """Closed by supervision once the department responded and every action raised from it
    is verified (or cancelled)."""
    _require_supervisor(by)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("This finding is already closed."))
    if finding.status != Finding.Status.RESPONDED:
        raise ValidationError(_("The department has not responded yet."))
    if selectors.finding_open_actions(finding):
        raise ValidationError(_("Verify or cancel its corrective actions first."))
    finding.status, finding.closed_at = Finding.Status.CLOSED, timezone.now()
    finding.save()
    return finding


def finding_raise_action(*, finding: Finding, description: str, owner: User, due_on: dt.date, by: User):
    """A corrective action for the finding's department (the kernel's one concept)."""
    _require_supervisor(by)
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError(_("This finding is closed."))
    return corrective_action_raise(
        source=finding, description=description, department=finding.department, owner=owner, due_on=due_on, by=by
    )


@transaction.atomic
def coverage_target_set(*, measure: str, target, amber_margin, by: User, version: str | None = None) -> CoverageTarget:
    """Set supervision's target for one coverage measure (issue #11 §3), with history. The
    row is locked and checked against the version the form showed (``StaleEdit``)."""
    _require_supervisor(by)
    if measure not in BY_KEY or not BY_KEY[measure].is_rate:
        raise ValidationError({"measure": _("Targets are set on percentages only.")})
    row = CoverageTarget.objects.select_for_update().filter(measure=measure).first()
    if row is None:
        row = CoverageTarget(measure=measure, target=target, amber_margin=amber_margin, updated_by=by)
        row.full_clean()
        row.save()
        return row
    check_version(row, version, fields=["target", "amber_margin"])
    row.target, row.amber_margin, row.updated_by = target, amber_margin, by
    row.full_clean()
    row.save(update_fields=["target", "amber_margin", "updated_by", "updated_at"])
    return row


# --- The annual satisfaction report (P5.2) ----------------------------------------------------
#
# A version moves draft → review → published; published is frozen (every service below
# refuses it). Figures are generated by a Celery task (never in a web request) into the
# version's JSON snapshot; the improvement plan's items become corrective actions when the
# version is published; a correction makes version N+1 with a reason.


def _report_locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().get(pk=report.pk)


def _require_draft(report: AnnualReport) -> None:
    if report.state != AnnualReport.State.DRAFT:
        if report.is_frozen:
            raise ValidationError(_("A published report cannot be changed: correct it to make a new version."))
        raise ValidationError(_("The report is in review: return it to draft to change it."))


def _queue_generation(report: AnnualReport) -> None:
    report.generation, report.progress, report.generation_error = AnnualReport.Generation.QUEUED, 0, ""
    report.generation_requested_at, report.generation_started_at = timezone.now(), None
    report.save(
        update_fields=[
            "generation",
            "progress",
            "generation_error",
            "generation_requested_at",
            "generation_started_at",
            "updated_at",
        ]
    )
    transaction.on_commit(lambda: enqueue_safely(tasks.report_generate_task, report.pk))


@transaction.atomic
def report_create(*, year: int, by: User) -> AnnualReport:
    """Version 1 of ``year``'s report, in draft; its figures are queued for generation."""
    _require_supervisor(by)
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("Choose a year up to this one.")})
    existing = AnnualReport.objects.select_for_update().filter(year=year).order_by("-version").first()
    if existing is not None:
        raise ValidationError(
            {
                "year": _("The %(year)d report exists (version %(version)d): open it.")
                % {"year": year, "version": existing.version}
            }
        )
    report = AnnualReport.objects.create(year=year, version=1, created_by=by)
    _queue_generation(report)
    return report


@transaction.atomic
def report_generate_request(*, report: AnnualReport, by: User) -> AnnualReport:
    """Regenerate a draft's figures (in the background)."""
    _require_supervisor(by)
    report = _report_locked(report)
    _require_draft(report)
    if report.generation == AnnualReport.Generation.RUNNING:
        raise ValidationError(_("The figures are being generated: wait for them to finish."))
    _queue_generation(report)
    return report


def report_generate(*, report_id: int) -> bool:
    """Compute and store a draft's figures (the Celery task's one service). Claims the queued
    generation first, so a duplicate delivery or a scan's re-enqueue does nothing; progress is
    written as it goes (outside a transaction, so the page sees it); the figures are written
    once, at the end, only if the report is still a draft: nothing half-written."""
    now = timezone.now()
    claimed = AnnualReport.objects.filter(
        pk=report_id, state=AnnualReport.State.DRAFT, generation=AnnualReport.Generation.QUEUED
    ).update(generation=AnnualReport.Generation.RUNNING, generation_started_at=now, progress=1)
    if not claimed:
        return False
    year = AnnualReport.objects.values_list("year", flat=True).get(pk=report_id)

    def progress(percent: int) -> None:
        AnnualReport.objects.filter(pk=report_id, generation=AnnualReport.Generation.RUNNING).update(
            progress=max(1, min(percent, 99))
        )

    try:
        figures = annual_figures(year, progress=progress)
    except Exception as exc:
        AnnualReport.objects.filter(pk=report_id, generation=AnnualReport.Generation.RUNNING).update(
            generation=AnnualReport.Generation.FAILED, generation_error=repr(exc)[:4000]
        )
        raise
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report_id)
        if report.state != AnnualReport.State.DRAFT or report.generation != AnnualReport.Generation.RUNNING:
            return False
        report.figures, report.generated_at = figures, timezone.now()
        report.generation, report.progress = AnnualReport.Generation.DONE, 100
        report.save(update_fields=["figures", "generated_at", "generation", "progress", "updated_at"])
    return True


def report_generations_to_resume(now: dt.datetime) -> list[int]:
    """Generations a dead worker or a down broker left behind: running past every task's time
    limit (put back in the queue) or queued for more than two minutes (enqueued again; the
    task's claim keeps it to one run)."""
    AnnualReport.objects.filter(
        state=AnnualReport.State.DRAFT,
        generation=AnnualReport.Generation.RUNNING,
        generation_started_at__lt=now - stale_after(),
    ).update(generation=AnnualReport.Generation.QUEUED)
    return list(
        AnnualReport.objects.filter(
            state=AnnualReport.State.DRAFT,
            generation=AnnualReport.Generation.QUEUED,
            generation_requested_at__lt=now - dt.timedelta(minutes=2),
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def report_update(*, report: AnnualReport, summary: str, summary_zh: str, by: User) -> AnnualReport:
    _require_supervisor(by)
    report = _report_locked(report)
    _require_draft(report)
    report.summary, report.summary_zh = summary.strip(), summary_zh.strip()
    report.save(update_fields=["summary", "summary_zh", "updated_at"])
    return report


@transaction.atomic
def report_item_add(*, report: AnnualReport, data: dict, by: User) -> ReportPlanItem:
    """An improvement-plan item; it becomes a corrective action when the report is published."""
    _require_supervisor(by)
    report = _report_locked(report)
    _require_draft(report)
    problems = {}
    if not (data.get("description") or "").strip():
        problems["description"] = _("Describe the improvement.")
    owner = data.get("owner")
    if owner is None or not owner.is_active:
        problems["owner"] = _("Choose an active owner.")
    if data.get("due_on") and data["due_on"] <= timezone.localdate():
        problems["due_on"] = _("The due date must be in the future.")
    if problems:
        raise ValidationError(problems)
    position = (report.items.aggregate(last=Max("position"))["last"] or 0) + 10
    return ReportPlanItem.objects.create(
        report=report,
        position=min(position, 999),
        description=data["description"].strip()[:500],
        department=data["department"],
        owner=owner,
        due_on=data["due_on"],
    )


@transaction.atomic
def report_item_remove(*, item: ReportPlanItem, by: User) -> None:
    _require_supervisor(by)
    report = _report_locked(item.report)
    _require_draft(report)
    if item.action_id:
        raise ValidationError(_("This item's corrective action was raised by an earlier version: it stays."))
    item.delete()


@transaction.atomic
def report_submit(*, report: AnnualReport, by: User) -> AnnualReport:
    """Draft → review: the figures must be generated and show data."""
    _require_supervisor(by)
    report = _report_locked(report)
    _require_draft(report)
    if report.generation != AnnualReport.Generation.DONE:
        raise ValidationError(_("Generate the figures first."))
    if not report.figures.get("has_data"):
        raise ValidationError(_("No data for %(year)d: there is nothing to report.") % {"year": report.year})
    report.state, report.submitted_at = AnnualReport.State.REVIEW, timezone.now()
    report.save(update_fields=["state", "submitted_at", "updated_at"])
    return report


@transaction.atomic
def report_return(*, report: AnnualReport, by: User) -> AnnualReport:
    """Review → draft, to change the text or regenerate the figures."""
    _require_supervisor(by)
    report = _report_locked(report)
    if report.state != AnnualReport.State.REVIEW:
        raise ValidationError(_("Only a report in review can go back to draft."))
    report.state = AnnualReport.State.DRAFT
    report.save(update_fields=["state", "updated_at"])
    return report


@transaction.atomic
def report_publish(*, report: AnnualReport, by: User) -> AnnualReport:
    """Review → published: the figures and text are frozen; the plan's items become corrective
    actions; a version it corrects is superseded. The files (the PDF and the spreadsheet, each
    in English and Chinese) are made from the frozen snapshot by a task after the commit, never
    in the request (``report_files_make``). Every version of the year is locked first, and one
    published version per year is also a database constraint: of two publishes at the same
    moment, the second waits, then finds the report published and is refused, with nothing
    written."""
    _require_supervisor(by)
    list(AnnualReport.objects.select_for_update().filter(year=report.year).order_by("pk"))
    report = _report_locked(report)
    if report.state == AnnualReport.State.PUBLISHED:
        raise ValidationError(_("This report is already published."))
    if report.state != AnnualReport.State.REVIEW:
        raise ValidationError(_("Submit the report for review before publishing it."))
    if not report.figures.get("has_data"):
        raise ValidationError(_("No data for %(year)d: there is nothing to report.") % {"year": report.year})
    if reason := report_exports.pdf_unavailable():
        raise ValidationError(
            _("The PDF cannot be made on this server (%(reason)s). Nothing was published.") % {"reason": reason}
        )
    now = timezone.now()
    AnnualReport.objects.filter(year=report.year, state=AnnualReport.State.PUBLISHED).update(
        state=AnnualReport.State.SUPERSEDED, updated_at=now
    )
    for item in report.items.select_related("department", "owner").filter(action__isnull=True):
        item.action = corrective_action_raise(
            source=item,
            description=item.description,
            department=item.department,
            owner=item.owner,
            due_on=item.due_on,
            by=by,
        )
        item.save(update_fields=["action", "updated_at"])
    report.state, report.published_at, report.published_by = AnnualReport.State.PUBLISHED, now, by
    report.save(update_fields=["state", "published_at", "published_by", "updated_at"])
    transaction.on_commit(lambda: enqueue_safely(tasks.report_files_task, report.pk))
    return report


def report_files_make(*, report_id: int) -> bool:
    """Make and store the files a frozen version lacks, from its snapshot (the Celery task's
    one service). Idempotent: a version that has its four files is left alone, so a duplicate
    delivery or the scan's catch-up does nothing twice; the files are saved in one write under
    the row's lock, so a version never has half of them."""
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report_id)
        missing = [field for field in AnnualReport.FILE_FIELDS if not getattr(report, field)]
        if not report.is_frozen or not missing:
            return False
        for field, (name, content) in report_exports.report_files(report).items():
            if field in missing:
                getattr(report, field).save(name, ContentFile(content), save=False)
        report.save(update_fields=[*missing, "updated_at"])
    return True


def reports_missing_files() -> list[int]:
    """Frozen versions still without their files (the broker was down at publication, or the
    worker died while making them): the scan makes them."""
    empty = Q()
    for field in AnnualReport.FILE_FIELDS:
        empty |= Q(**{field: ""})
    return list(
        AnnualReport.objects.filter(state__in=[AnnualReport.State.PUBLISHED, AnnualReport.State.SUPERSEDED])
        .filter(empty)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def report_correct(*, report: AnnualReport, reason: str, by: User) -> AnnualReport:
    """A correction of the published version: version N+1 in draft, with the reason, the text,
    the figures and the plan (items keep the action they raised). The published version stays
    as it is until the correction is published."""
    _require_supervisor(by)
    list(AnnualReport.objects.select_for_update().filter(year=report.year).order_by("pk"))
    report = _report_locked(report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the correction is for.")})
    if report.state != AnnualReport.State.PUBLISHED:
        raise ValidationError(_("Only the published version is corrected."))
    if AnnualReport.objects.filter(
        year=report.year, state__in=[AnnualReport.State.DRAFT, AnnualReport.State.REVIEW]
    ).exists():
        raise ValidationError(_("A correction of this report is already in the works."))
    last = AnnualReport.objects.filter(year=report.year).aggregate(last=Max("version"))["last"]
    if last >= 99:
        raise ValidationError(_("This report has too many versions."))
    correction = AnnualReport.objects.create(
        year=report.year,
        version=last + 1,
        summary=report.summary,
        summary_zh=report.summary_zh,
        figures=report.figures,
        generation=AnnualReport.Generation.DONE,
        progress=100,
        generated_at=report.generated_at,
        corrects=report,
        correction_reason=reason,
        created_by=by,
    )
    ReportPlanItem.objects.bulk_create(
        ReportPlanItem(
            report=correction,
            position=item.position,
            description=item.description,
            department_id=item.department_id,
            owner_id=item.owner_id,
            due_on=item.due_on,
            action_id=item.action_id,
        )
        for item in report.items.all()
    )
    return correction
