from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Supplier scorecards")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from crm import option_lists
        from crm.api import register_api
        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder
        from crm.panels import register_panel
        from partners.models import Family, Status
        from partners.partnerships.models import Stage
        from partners.partnerships.selectors import register_stage_gate
        from partners.services import register_status_gate

        from . import api, selectors
        from .models import ScorecardTemplate, StandingBand
        from .reminders import calendar_items
        from .selectors import assessment_gate, assessment_panel, screening_gate, standing_labels_forget

        # The overview's ranking, standings and movers, kept until one of these changes
        # (selectors.OVERVIEW_SOURCES, crm.option_lists).
        option_lists.watch(*selectors.OVERVIEW_SOURCES)
        option_lists.watch(ScorecardTemplate)  # selectors.ranking_templates
        if calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(calendar_items)
        register_seeder("evaluations.demo.seed", order=30)
        # After the partnership pipeline's prospects (20): assesses them and moves them on.
        register_seeder("evaluations.demo.assessments.seed", order=35)
        for signal in (post_save, post_delete):
            signal.connect(standing_labels_forget, sender=StandingBand, dispatch_uid=f"standing-labels-{signal}")
        # P4.1.1: a candidate supplier becomes active only after passing screening.
        register_status_gate(family=Family.SUPPLIER, to_status=Status.ACTIVE, gate=screening_gate)
        # P4.3.1: a prospective partner is assessed, and becomes active, only after a completed
        # partner assessment: in the pipeline, and in the registry whatever changes its status.
        register_status_gate(family=Family.PARTNER, to_status=Status.ACTIVE, gate=assessment_gate)
        for stage in (Stage.ASSESSED, Stage.ACTIVE):
            register_stage_gate(to_stage=stage, gate=assessment_gate)
        register_panel("partner_side", template="evaluations/_assessment_card.html", context=assessment_panel, order=6)
        register_api("scorecards", api.ScorecardViewSet, basename="scorecard")
        register_api("standings", api.StandingViewSet, basename="standing")
