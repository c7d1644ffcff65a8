from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers (P4.2): needs, care calendar, greetings, gifts, campaigns."""

    name = "partners.customers"
    label = "customers"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder
        from crm.notifications import SEND_CHECKS
        from crm.panels import register_panel
        from partners.selectors import register_history_source

        from .selectors import calendar_items, care_history_sources, gift_action_panel, needs_panel
        from .services import (
            CAMPAIGN_EMAIL_KIND,
            GREETING_EMAIL_KIND,
            campaign_email_still_allowed,
            greeting_email_still_allowed,
        )

        # Consent is read again just before an email to a contact leaves (P4.2.3).
        SEND_CHECKS[GREETING_EMAIL_KIND] = greeting_email_still_allowed
        SEND_CHECKS[CAMPAIGN_EMAIL_KIND] = campaign_email_still_allowed
        if calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(calendar_items)
        # P3.1: gift approvals and needs are part of the relationship's record.
        for source in care_history_sources:
            register_history_source(source)
        register_panel("partner_side", template="customers/_needs_card.html", context=needs_panel, order=20)
        register_panel("partner_actions", template="customers/_gift_action.html", context=gift_action_panel, order=10)
        register_seeder("partners.customers.demo.seed", order=60)
