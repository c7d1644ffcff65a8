from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from crm.demo import register_seeder
        from crm.panels import register_panel

        from . import services  # noqa: F401  (registers its notification kinds)
        from .selectors import dashboard_findings_panel, partner_visit_action_panel

        register_panel(
            "dashboard", template="supervision/_dashboard_findings.html", context=dashboard_findings_panel, order=40
        )
        register_panel(
            "partner_actions", template="supervision/_partner_visit_action.html", context=partner_visit_action_panel
        )
        register_seeder("supervision.demo.seed", order=70)
        register_seeder("supervision.demo_reports.seed_reports", order=80)
