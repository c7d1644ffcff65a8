from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    """Industry associations and other institutions (P4.4): memberships, positions, events,
    standards work, submissions and industry reports."""

    name = "partners.associations"
    label = "associations"
    verbose_name = _("Industry associations")

    def ready(self) -> None:
        from crm.demo import register_seeder
        from crm.panels import register_panel
        from partners.selectors import register_history_source

        from . import services  # noqa: F401  (registers its notification kinds)
        from .selectors import association_history, association_panel, dashboard_due_panel, position_history

        register_panel(
            "partner_side", template="associations/_association_card.html", context=association_panel, order=4
        )
        register_panel("dashboard", template="associations/_dashboard_due.html", context=dashboard_due_panel, order=40)
        register_history_source(association_history)
        register_history_source(position_history)
        register_seeder("partners.associations.demo.seed", order=25)
