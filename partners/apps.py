from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner registry")

    def ready(self) -> None:
        from crm.calendar import CALENDAR_SOURCES
        from crm.demo import register_seeder
        from crm.notifications import SEND_CHECKS

        from .care import (
            CAMPAIGN_EMAIL_KIND,
            GREETING_EMAIL_KIND,
            campaign_email_still_allowed,
            greeting_email_still_allowed,
        )
        from .care_selectors import calendar_items

        # Consent is read again just before an email to a contact leaves (P4.2.3).
        SEND_CHECKS[GREETING_EMAIL_KIND] = greeting_email_still_allowed
        SEND_CHECKS[CAMPAIGN_EMAIL_KIND] = campaign_email_still_allowed
        if calendar_items not in CALENDAR_SOURCES:
            CALENDAR_SOURCES.append(calendar_items)
        register_seeder("partners.care_demo.seed", order=60)
