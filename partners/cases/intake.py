"""The intake rules of public cases (issue 12 §2): which rule applies, and which rules are
refused. Apart from services.py so the admin's form can call the check without importing the
services (and, through them, the notifications at admin discovery)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CaseIntakeRule

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def intake_rule_for(*, family: str, kind: str) -> CaseIntakeRule | None:
    """The most specific rule for a family × type: both, then the family, then the type,
    then the rule for any (seeded by migration 0007)."""
    rules = CaseIntakeRule.objects.filter(family__in=(family, ""), kind__in=(kind, "")).select_related("department")
    return min(rules, key=lambda rule: (rule.family != family, rule.kind != kind), default=None)


def intake_rule_check(*, notify: str, on_duty: Iterable[User]) -> None:
    """A rule that would notify nobody is refused (the admin's form calls this)."""
    if notify == CaseIntakeRule.Notify.ON_DUTY and not any(user.is_active for user in on_duty):
        raise ValidationError({"on_duty": _("Choose at least one active person on duty.")})
