from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Supplier scorecards")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder
        from partners.models import Family, Status
        from partners.services import register_status_gate

        from .models import StandingBand
        from .reminders import calendar_items
        from .selectors import screening_gate, standing_labels_forget

        if calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(calendar_items)
        register_seeder("evaluations.demo.seed", order=30)
        for signal in (post_save, post_delete):
            signal.connect(standing_labels_forget, sender=StandingBand, dispatch_uid=f"standing-labels-{signal}")
        # P4.1.1: a candidate supplier becomes active only after passing screening.
        register_status_gate(family=Family.SUPPLIER, to_status=Status.ACTIVE, gate=screening_gate)
