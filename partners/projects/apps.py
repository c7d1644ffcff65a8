from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Joint projects with partners (P4.3.3) and cooperative and public-welfare projects with
    associations (P4.4.2): milestones, contributions, progress, linked interactions."""

    name = "partners.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from crm import option_lists
        from crm.demo import register_seeder
        from crm.panels import register_panel
        from partners.models import Partner

        from .models import Project
        from .selectors import dashboard_milestones_panel, projects_panel

        option_lists.watch(Partner, Project, Project.partners.through)  # the project list's partner select

        register_panel("partner_side", template="projects/_projects_card.html", context=projects_panel, order=8)
        register_panel(
            "dashboard", template="projects/_dashboard_milestones.html", context=dashboard_milestones_panel, order=45
        )
        # After the agreements (36): projects run with partners already active and bound.
        register_seeder("partners.projects.demo.seed", order=37)
