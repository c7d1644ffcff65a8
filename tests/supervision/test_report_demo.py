"""The demo's annual reports (issue #11 §5): last year's published with its files, this year's
in draft; a second run adds nothing."""

from __future__ import annotations

from django.utils import timezone

from supervision import report_exports
from supervision.models import AnnualReport


def test_demo_publishes_last_years_report_and_drafts_this_years(
    seed_demo, client, manager, django_capture_on_commit_callbacks
):
    # The files are made by the task the publication enqueues when the seeding commits.
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo(partners=20, interactions=80)
    year = timezone.localdate().year
    last = AnnualReport.objects.get(year=year - 1)
    current = AnnualReport.objects.get(year=year)
    assert current.state == AnnualReport.State.DRAFT and current.generation == AnnualReport.Generation.DONE
    assert last.items.count() == 2 and last.summary and last.summary_zh
    if report_exports.pdf_unavailable():
        assert last.state == AnnualReport.State.REVIEW
    else:
        assert last.state == AnnualReport.State.PUBLISHED
        assert last.pdf_en and last.pdf_zh and last.xlsx
        assert all(item.action_id for item in last.items.all())
        client.force_login(manager)
        assert client.get(last.get_absolute_url()).status_code == 200
    seed_demo(partners=20, interactions=80)
    assert AnnualReport.objects.count() == 2
