from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Agreements with partners, their obligations and execution reviews (P4.3.2)."""

    name = "partners.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from crm.demo import register_seeder
        from crm.panels import register_panel
        from partners.selectors import register_history_source

        from . import services  # noqa: F401  (registers its notification kinds)
        from .selectors import agreement_history_source, agreements_panel, dashboard_due_panel

        register_panel("partner_side", template="agreements/_agreements_card.html", context=agreements_panel, order=7)
        register_panel("dashboard", template="agreements/_dashboard_due.html", context=dashboard_due_panel, order=40)
        register_history_source(agreement_history_source)
        # After the pipeline (20) and the partner assessments (35), which make partners active:
        # agreements bind active partners.
        register_seeder("partners.agreements.demo.seed", order=36)
