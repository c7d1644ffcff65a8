"""System checks of the kernel, run by ``manage.py check`` and at every start-up."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from .scheduler import load_scans

RUN_SCAN_TASK = "crm.tasks.run_scan"


@checks.register()
def check_scan_schedule(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every beat entry that runs a scan names a registered ``@scan`` (a misspelt name would
    fail at run time, every time, with nobody watching), and every registered scan is
    scheduled (an unscheduled scan never runs)."""
    registered = load_scans()
    errors: list[checks.CheckMessage] = []
    scheduled: set[str] = set()
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry.get("task") != RUN_SCAN_TASK:
            continue
        args = list(entry.get("args", ()))
        if len(args) != 1 or not isinstance(args[0], str):
            errors.append(
                checks.Error(
                    f"CELERY_BEAT_SCHEDULE[{key!r}] runs a scan without naming it.",
                    hint='Give the scan\'s name as the only argument: "args": ["<name>"].',
                    id="crm.E001",
                )
            )
            continue
        name = args[0]
        scheduled.add(name)
        if name not in registered:
            errors.append(
                checks.Error(
                    f"CELERY_BEAT_SCHEDULE[{key!r}] runs the scan {name!r}, which no app registers.",
                    hint=f"Registered scans: {', '.join(sorted(registered))}.",
                    id="crm.E002",
                )
            )
    for name in sorted(set(registered) - scheduled):
        errors.append(
            checks.Error(
                f"The scan {name!r} is registered but not in CELERY_BEAT_SCHEDULE, so it never runs.",
                hint=f'Add an entry {{"task": "{RUN_SCAN_TASK}", "schedule": …, "args": ["{name}"]}}.',
                id="crm.E003",
            )
        )
    return errors


@checks.register()
def check_base_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E-mailed links (survey invitations, reminders, unsubscribe) need the address people
    reach this server at: a wrong one sends every recipient to a dead link."""
    from .links import DEVELOPMENT_BASE_URL

    value = settings.RAPPORT_BASE_URL
    if value and not value.startswith(("http://", "https://")):
        return [
            checks.Error(
                f"RAPPORT_BASE_URL={value!r} is not an http(s) address.",
                hint="Set it to the address people open, e.g. https://rapport.example.com",
                id="crm.E005",
            )
        ]
    if value:
        return []
    if not settings.DEBUG:
        return [
            checks.Error(
                "RAPPORT_BASE_URL is not set: links in e-mails and calendar feeds would lead nowhere.",
                hint="Set RAPPORT_BASE_URL to the address people open, e.g. https://rapport.example.com",
                id="crm.E004",
            )
        ]
    return [
        checks.Warning(
            f"RAPPORT_BASE_URL is not set: e-mailed links point to {DEVELOPMENT_BASE_URL}.",
            hint="`make run` sets it from PORT; elsewhere set RAPPORT_BASE_URL=http://host:port",
            id="crm.W004",
        )
    ]
