"""django-axes (sign-in attempts and the login log) under a name in the reader's language:
its own app config names the admin's section "Axes", a word no catalogue translates."""

from __future__ import annotations

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Sign-in security")
