from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    # Joint projects (P4.3.3), cooperative and public-welfare projects (P4.4.2).
    path("projects/", views.project_list, name="list"),
    path("projects/export.csv", views.project_export, name="export"),
    path("projects/milestones-due/", views.milestones_due, name="milestones_due"),
    path("partners/<int:pk>/projects/", views.partner_projects, name="partner_projects"),
    path("partners/<int:pk>/projects/new/", views.project_create, name="create"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/history/", views.project_history, name="history"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/interactions/", views.project_interactions, name="interactions"),
    path("projects/<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("projects/milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("projects/milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
]
