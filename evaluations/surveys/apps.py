from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Satisfaction surveys: how suppliers, customers and partners rate us (P4.1.3, P4.2.3, P5.2)."""

    name = "evaluations.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from crm import events
        from crm.api import register_api_view
        from crm.demo import register_seeder
        from crm.panels import register_panel

        from . import api
        from .selectors import case_satisfaction_panel
        from .services import case_survey_send

        # A closed case invites its contact to the after-case survey (P4.2.3).
        events.subscribe(events.CASE_CLOSED, case_survey_send)
        register_panel("case_detail", template="surveys/_case_satisfaction.html", context=case_satisfaction_panel)
        register_seeder("evaluations.surveys.demo.seed", order=40)
        register_seeder("evaluations.surveys.demo.seed_automations", order=55)
        register_api_view("survey-results/", api.SurveyResultsView, name="survey-results")
