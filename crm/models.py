"""Cross-cutting models: departments and the user profile (stock auth.User stays)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Department(models.Model):
    """An internal department (Procurement, Sales, ...). Partners and users belong to one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What auth.User lacks: the user's department and preferences."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    notification_mode = models.CharField(
        _("notifications"), max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)
