"""The demo logins and their colleagues: users, roles, profiles and departments (kernel level).

Created by ``seed_demo`` before any app seeds its data, so every seeder finds its owners,
authors and approvers. Existing users are never touched (nor their passwords).
"""

from __future__ import annotations

import os

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import CommandError

from . import roles
from .demo import EN, ZH
from .models import Department, Profile

DEFAULT_PASSWORD = "rapport-demo"

# fmt: off
# username, first name, last name, role (None: superuser), department code, UI language
DEMO_USERS = [
    ("staff", "Mei", "Chen", roles.STAFF, "procurement", EN),
    ("staff2", "Jun", "Wang", roles.STAFF, "sales", EN),
    ("manager", "Hua", "Zhang", roles.MANAGER, "procurement", EN),
    ("supervisor", "Olivia", "Liu", roles.SUPERVISION, "general-office", EN),
    ("admin", "Ada", "Admin", None, "general-office", EN),
]
# Colleagues so that owners and authors vary inside and across departments.
COLLEAGUES = [
    ("manager2", "Daniel", "Zhou", roles.MANAGER, "sales", EN),
    ("buyer2", "Fang", "Li", roles.STAFF, "procurement", ZH),
    ("service", "Sophie", "Huang", roles.STAFF, "customer-service", EN),
    ("marketing", "Lei", "Sun", roles.STAFF, "marketing", ZH),
    ("rnd", "Tao", "Guo", roles.STAFF, "rnd", ZH),
    ("office", "Grace", "Xu", roles.MANAGER, "general-office", EN),
    ("quality", "Qiang", "Ma", roles.STAFF, "quality", ZH),
]
# fmt: on


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def demo_users_ensure() -> int:
    """Create the demo users that are missing; existing ones are left exactly as they are.

    Returns how many were created.
    """
    wanted = DEMO_USERS + COLLEAGUES
    existing = set(User.objects.filter(username__in=[u[0] for u in wanted]).values_list("username", flat=True))
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    if len(groups) != len(roles.ROLES):
        raise CommandError("Role groups are missing: run `manage.py migrate` first.")
    departments = {d.code: d for d in Department.objects.all()}
    hashed = None
    created = 0
    for username, first, last, role, dept_code, language in wanted:
        if username in existing:
            continue
        # One PBKDF2 hash shared by all demo users (same password): hashing is ~0.3 s each.
        hashed = hashed or make_password(demo_password())
        is_admin = role is None
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@rapport.example",
            password=hashed,
            # Managers configure scorecard templates in /admin/ (their group's permissions).
            is_staff=is_admin or role == roles.MANAGER,
            is_superuser=is_admin,
        )
        if role:
            user.groups.add(groups[role])
        Profile.objects.create(user=user, department=departments.get(dept_code), language=language)
        created += 1
    return created
