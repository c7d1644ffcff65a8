"""The beat schedule and the scan registry agree, checked at start-up (issue #9 §6)."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def _schedule_with(**entries):
    schedule = copy.deepcopy(settings.CELERY_BEAT_SCHEDULE)
    schedule.update(entries)
    return {key: entry for key, entry in schedule.items() if entry is not None}


def test_the_shipped_schedule_passes_the_check(capsys):
    call_command("check")
    assert "no issues" in capsys.readouterr().out


def test_a_misspelt_scan_name_fails_manage_py_check(settings):
    settings.CELERY_BEAT_SCHEDULE = _schedule_with(
        **{"scan-cases-sla": {"task": "crm.tasks.run_scan", "schedule": 300.0, "args": ["case_sla"]}}
    )
    with pytest.raises(SystemCheckError) as exc:
        call_command("check")
    message = str(exc.value)
    assert "(crm.E002)" in message
    assert "'case_sla', which no app registers" in message
    # The real scan is now unscheduled: said too.
    assert "(crm.E003) The scan 'cases_sla' is registered but not in CELERY_BEAT_SCHEDULE" in message


def test_a_scan_left_off_the_schedule_fails_the_check(settings):
    settings.CELERY_BEAT_SCHEDULE = _schedule_with(**{"scan-emails": None})
    with pytest.raises(SystemCheckError, match=r"crm\.E003.*'emails' is registered"):
        call_command("check")


def test_a_scan_entry_without_a_name_fails_the_check(settings):
    settings.CELERY_BEAT_SCHEDULE = _schedule_with(
        **{"scan-nameless": {"task": "crm.tasks.run_scan", "schedule": 60.0}}
    )
    with pytest.raises(SystemCheckError, match=r"crm\.E001.*'scan-nameless'"):
        call_command("check")
