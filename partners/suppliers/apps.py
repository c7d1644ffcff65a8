from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    """Suppliers (P4.1): qualification documents and their expiry reminders."""

    name = "partners.suppliers"
    label = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from crm.demo import register_seeder
        from crm.panels import register_panel
        from partners.selectors import register_history_source

        from . import services  # noqa: F401  (registers its notification kinds)
        from .selectors import qualification_history, qualifications_panel

        register_panel(
            "partner_side", template="suppliers/_qualifications_card.html", context=qualifications_panel, order=10
        )
        register_history_source(qualification_history)
        register_seeder("partners.suppliers.demo.seed", order=10)
