from django.urls import path

from . import views
from .importing import views as imports

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/export.csv", views.partner_export, name="export"),
    path("partners/family/<str:family>/", views.partner_list, name="family_list"),
    path("partners/family/<str:family>/export.csv", views.partner_export, name="family_export"),
    path("partners/family/<str:family>/new/", views.partner_create, name="create"),
    path("partners/<int:pk>/", views.partner_detail, name="detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="edit"),
    path("partners/<int:pk>/archive/", views.partner_archive, name="archive"),
    path("partners/<int:pk>/restore/", views.partner_restore, name="restore"),
    path("partners/<int:pk>/history/", views.partner_history, name="history"),
    path("partners/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("partners/<int:pk>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("interactions/<int:pk>/edit/", views.interaction_edit, name="interaction_edit"),
    path("partners/import/", imports.import_start, name="import"),
    path("partners/import/<int:pk>/", imports.import_job, name="import_job"),
    path("partners/import/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("partners/import/<int:pk>/skipped.csv", imports.import_skipped, name="import_skipped"),
    path("partners/import/template/<str:kind>/<str:language>.csv", imports.import_template, name="import_template"),
    path("partners/export.xlsx", imports.export_all, name="export_all"),
    path("follow-ups/", views.followup_list, name="followups"),
    path("follow-ups/<int:pk>/done/", views.followup_complete, name="followup_complete"),
    path("follow-ups/<int:pk>/reopen/", views.followup_reopen, name="followup_reopen"),
]
