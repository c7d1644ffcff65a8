from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    """The partner family's pipeline (P4.3.1): identified → assessed → negotiating → active."""

    name = "partners.partnerships"
    label = "partnerships"
    verbose_name = _("Partnership pipeline")

    def ready(self) -> None:
        from crm.demo import register_seeder
        from crm.panels import register_panel
        from partners.models import Family, Status
        from partners.selectors import register_detail_related, register_history_source
        from partners.services import register_status_gate

        from .selectors import partnership_history_source, pipeline_panel
        from .services import activation_gate, rejection_gate

        # A prospective partner leaves candidacy only through the pipeline: it becomes active
        # after negotiating, or is rejected with a reason (P4.3.1).
        register_status_gate(family=Family.PARTNER, to_status=Status.ACTIVE, gate=activation_gate)
        register_status_gate(family=Family.PARTNER, to_status=Status.TERMINATED, gate=rejection_gate)
        register_history_source(partnership_history_source)
        register_detail_related("partnership")  # the pipeline card reads it with the partner
        register_panel("partner_side", template="partnerships/_pipeline_card.html", context=pipeline_panel, order=5)
        # After the registry (0) and before the scorecards (30), which assess the prospects.
        register_seeder("partners.partnerships.demo.seed", order=20)
