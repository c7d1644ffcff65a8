from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Rapport")

    def ready(self) -> None:
        from django.contrib.auth.models import Group, User
        from django.contrib.auth.signals import user_logged_in
        from django.contrib.contenttypes.models import ContentType

        from crm import (
            checks,  # noqa: F401  (registers the system checks)
            option_lists,
            services,  # noqa: F401  (registers its notification kinds)
        )
        from crm.cleaning import connect_guards, install_safe_localtime
        from crm.middleware import session_seen_at_login
        from crm.models import CorrectiveAction, Department

        # The filter bars' owners and departments, kept per change (crm.option_lists); the
        # kinds of record that raised corrective actions (crm.filters.source_kinds).
        option_lists.watch(User, Group, User.groups.through, Department, ContentType, CorrectiveAction)
        option_lists.connect()

        user_logged_in.connect(session_seen_at_login, dispatch_uid="crm.session_seen_at_login")
        # Sane dates and text in every model of ours, and pages that survive an old bad value.
        connect_guards()
        install_safe_localtime()
