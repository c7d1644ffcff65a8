from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The registry (P2, P3): partners, contacts, tags, interactions, follow-ups."""

    name = "partners"
    verbose_name = _("Partner registry")

    def ready(self) -> None:
        from crm import option_lists
        from crm.api import register_api
        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder
        from crm.panels import register_panel

        from . import api, reminders  # noqa: F401  (reminders registers its notification kinds)
        from .models import Tag
        from .selectors import dashboard_counters_panel, dashboard_panel, followup_calendar_items

        option_lists.watch(Tag)  # the filter bars' tag select (crm.option_lists)

        if followup_calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.insert(0, followup_calendar_items)
        register_panel(
            "dashboard_counters",
            template="partners/_dashboard_counters.html",
            context=dashboard_counters_panel,
            order=10,
        )
        register_panel("dashboard", template="partners/_dashboard_lists.html", context=dashboard_panel, order=10)
        # First: the registry's partners, contacts and interactions, which every other app's
        # demo data builds on.
        register_seeder("partners.demo.seed", order=0)
        register_api("partners", api.PartnerViewSet, basename="partner")
        register_api("contacts", api.ContactViewSet, basename="contact")
        register_api("interactions", api.InteractionViewSet, basename="interaction")
        register_api("follow-ups", api.FollowUpViewSet, basename="followup")
