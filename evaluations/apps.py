from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Supplier scorecards")

    def ready(self) -> None:
        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder
        from partners.models import Family, Status
        from partners.services import register_status_gate

        from .reminders import calendar_items
        from .selectors import screening_gate

        if calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(calendar_items)
        register_seeder("evaluations.demo.seed", order=30)
        # P4.1.1: a candidate supplier becomes active only after passing screening.
        register_status_gate(family=Family.SUPPLIER, to_status=Status.ACTIVE, gate=screening_gate)
