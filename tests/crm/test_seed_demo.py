"""seed_demo (the kernel's command): demo logins, the registered seeders in order, idempotent runs.
A second run of the whole command: tests/test_demo_data.py."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, ManagementUtility, call_command, get_commands
from django.utils import timezone
from django.utils.module_loading import import_string

from crm.demo import DemoOptions, registered_seeders
from crm.demo_users import demo_users_ensure
from partners.models import Partner

DEMO_ROLES = {
    "staff": ("Staff", "procurement"),
    "staff2": ("Staff", "sales"),
    "manager": ("Manager", "procurement"),
    "supervisor": ("Supervision", "general-office"),
}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models(include_auto_created=True)}


def test_seed_demo_is_the_kernels_command():
    assert get_commands()["seed_demo"] == "crm"
    help_text = ManagementUtility(["manage.py", "help"]).main_help_text()
    crm_section = help_text.split("[crm]\n", 1)[1].split("\n\n", 1)[0]
    assert "    seed_demo" in crm_section.splitlines()


def test_creates_demo_users_with_roles_departments_and_password_and_leaves_existing_ones(
    db, monkeypatch, seed_demo, staff
):
    staff.set_password("my-own-password")
    staff.save()
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo")
    output = seed_demo()
    for username, (role, dept) in DEMO_ROLES.items():
        user = User.objects.select_related("profile__department").get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.profile.department.code == dept
        assert user.first_name and user.last_name
        # A user who was already there keeps the password they chose.
        assert user.check_password("my-own-password" if username == "staff" else "s3cret-demo")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("s3cret-demo")
    # Extra colleagues so owners vary, e.g. a Sales manager.
    assert User.objects.filter(username="manager2", groups__name="Manager", profile__department__code="sales").exists()
    assert "Demo logins: staff, staff2, manager, supervisor, admin; password from DEMO_PASSWORD." in output


def test_prints_the_users_then_every_seeders_counts_in_order(db, monkeypatch, seed_demo):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    output = seed_demo()
    summary = output.split("seed_demo created ", 1)[1].split(" in ", 1)[0]
    labels = [item.split(" ", 1)[1] for item in summary.split(", ")]
    assert labels[:6] == ["users", "tags", "partners", "contacts", "interactions", "follow-ups"]
    assert {"qualifications", "evaluations", "survey responses", "cases", "gifts"} <= set(labels)
    assert "12 users" in summary and "20 partners" in summary and "60 interactions" in summary
    assert "password 'rapport-demo'" in output


def test_refuses_to_run_when_debug_is_off_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("seed_demo", "--partners", 1, "--interactions", 1, stdout=StringIO())
    assert not Partner.objects.exists()


def test_refuses_negative_targets(db):
    with pytest.raises(CommandError, match="zero or more"):
        call_command("seed_demo", "--partners", -1, "--force", stdout=StringIO())


def test_every_registered_seeder_is_importable_and_idempotent(db):
    seeders = registered_seeders()
    # The registry's partners come first: every other app's demo data builds on them.
    assert seeders[0].path == "partners.demo.seed"
    functions = [(s.path, import_string(s.path)) for s in seeders]
    assert len(functions) >= 7
    demo_users_ensure()
    now, options = timezone.localtime(), DemoOptions(partners=25, interactions=40)
    rng = random.Random(options.seed)
    labels: list[str] = []
    for _path, fn in functions:
        labels += fn(rng=rng, now=now, options=options)
    assert len(labels) == len(set(labels)), "two seeders report the same label: one count would hide the other"
    before = row_counts()
    later = now + dt.timedelta(minutes=5)
    for path, fn in functions:
        again = fn(rng=random.Random(7), now=later, options=options)
        assert not any(again.values()), path
        assert row_counts() == before, path
