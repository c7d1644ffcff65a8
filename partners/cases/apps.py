from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Service cases with their SLA and the public feedback form (P4.1.2, P4.2.2, P4.2.3)."""

    name = "partners.cases"
    label = "cases"
    verbose_name = _("Service cases")

    def ready(self) -> None:
        from crm.api import register_api
        from crm.demo import register_seeder
        from crm.panels import register_panel

        from . import api, services  # noqa: F401  (services registers its notification kinds)
        from .selectors import dashboard_counter_panel, partner_cases_panel

        register_panel(
            "dashboard_counters", template="cases/_dashboard_counter.html", context=dashboard_counter_panel, order=20
        )
        register_panel("partner_actions", template="cases/_partner_actions.html", context=partner_cases_panel, order=30)
        register_seeder("partners.cases.demo.seed", order=50)
        register_api("cases", api.CaseViewSet, basename="case")
