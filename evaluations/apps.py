from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Supplier scorecards")

    def ready(self) -> None:
        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder

        from .reminders import calendar_items

        if calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(calendar_items)
        register_seeder("evaluations.demo.seed", order=30)
