from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from crm.demo import register_seeder

        register_seeder("supervision.demo.seed", order=70)
        register_seeder("supervision.demo_reports.seed_reports", order=80)
