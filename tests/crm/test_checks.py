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


# --- The address in e-mailed links (issue #12 §1) ----------------------------------------------


def test_a_production_server_without_a_base_url_refuses_to_start(settings):
    settings.DEBUG, settings.RAPPORT_BASE_URL = False, ""
    with pytest.raises(SystemCheckError, match=r"crm\.E004.*RAPPORT_BASE_URL is not set"):
        call_command("check")


def test_a_development_server_without_a_base_url_warns_loudly(settings, capsys):
    settings.DEBUG, settings.RAPPORT_BASE_URL = True, ""
    call_command("check")
    assert "(crm.W004) RAPPORT_BASE_URL is not set: e-mailed links point to http://127.0.0.1:8000" in (
        capsys.readouterr().err
    )


def test_a_base_url_that_is_not_an_address_is_refused(settings):
    settings.RAPPORT_BASE_URL = "rapport.example:8811"
    with pytest.raises(SystemCheckError, match=r"crm\.E005"):
        call_command("check")


def test_make_run_derives_the_base_url_from_the_port():
    """scripts/run.sh exports RAPPORT_BASE_URL from PORT before the web server and the worker
    start, unless it is set: what `PORT=8811 make run` e-mails leads to port 8811."""
    import subprocess

    script = (settings.BASE_DIR / "scripts" / "run.sh").read_text()
    prelude = script.split('"$PY" manage.py migrate', 1)[0]
    for env, expected in (
        ({"PORT": "8811"}, "http://127.0.0.1:8811"),
        ({"PORT": "8811", "RAPPORT_BASE_URL": "https://crm.example"}, "https://crm.example"),
    ):
        out = (
            subprocess.run(
                ["bash", "-c", prelude.replace('cd "$(dirname "$0")/.."', "cd /tmp") + '\necho "$RAPPORT_BASE_URL"'],
                env={"PATH": "/usr/bin:/bin", **env},
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        assert out == expected
