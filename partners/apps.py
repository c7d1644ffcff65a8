from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The registry (P2, P3): partners, contacts, tags, interactions, follow-ups."""

    name = "partners"
    verbose_name = _("Partner registry")
