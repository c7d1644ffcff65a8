"""Demo annual satisfaction reports (P5.2, issue #11 §5): last year's published, with its
files and an improvement plan whose items became corrective actions; this year's in draft.
Both generated from the demo's own data. Idempotent: a second run adds nothing.

Without WeasyPrint's system libraries (pango) last year's report stays in review: publishing
needs its PDF files (supervision/report_exports.py says why on the page)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.demo import DemoOptions
from crm.models import Department

from . import report_exports, services
from .models import AnnualReport

SUMMARY = {
    "en": (
        "Satisfaction held up across suppliers and customers; service cases were answered faster, "
        "but follow-ups with normal-tier partners slipped. Contact coverage of key partners stays the "
        "first priority for next year."
    ),
    "zh": (
        "供应商和客户满意度总体保持稳定；服务工单响应更快，但与普通级别商务伙伴的跟进有所滞后。"
        "明年的首要任务仍是重点商务伙伴的联系覆盖率。"
    ),
}
PLAN = [
    # One field, read by both languages' readers: written in both.
    ("Call every key partner at least once a quarter / 每季度至少联系每个重点商务伙伴一次", "sales"),
    ("Review overdue follow-ups in each weekly department meeting / 每周部门例会检查逾期跟进事项", "procurement"),
]


def seed_reports(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    if AnnualReport.objects.exists():
        return {"annual reports": 0}
    User = get_user_model()
    supervisor = User.objects.filter(username="supervisor").first()
    manager = User.objects.filter(username="manager").first()
    if not (supervisor and manager):
        return {"annual reports": 0}
    today = timezone.localdate(now)
    created = 0

    last = services.report_create(year=today.year - 1, by=supervisor)
    services.report_generate(report_id=last.pk)  # the task's service, run here: no worker needed
    last.refresh_from_db()
    services.report_update(report=last, summary=SUMMARY["en"], summary_zh=SUMMARY["zh"], by=supervisor)
    for index, (text, department) in enumerate(PLAN, start=1):
        services.report_item_add(
            report=last,
            data={
                "description": text,
                "department": Department.objects.get(code=department),
                "owner": manager,
                "due_on": today + dt.timedelta(days=60 * index),
            },
            by=supervisor,
        )
    created += 1
    if last.figures.get("has_data"):
        services.report_submit(report=last, by=supervisor)
        if not report_exports.pdf_unavailable():
            # Its PDF and XLSX files are made by the worker, as for any publication (a task
            # enqueued when the seeding commits): rendering two PDFs here would cost seconds.
            services.report_publish(report=last, by=supervisor)

    current = services.report_create(year=today.year, by=supervisor)
    services.report_generate(report_id=current.pk)
    services.report_update(
        report=current,
        summary="Draft: figures so far this year.",
        summary_zh="草稿：今年迄今为止的数据。",
        by=supervisor,
    )
    created += 1
    return {"annual reports": created}
