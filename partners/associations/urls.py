from django.urls import path

from . import views

app_name = "associations"

urlpatterns = [
    # An association's memberships, positions, events, standards work, submissions (P4.4).
    path("partners/<int:pk>/association/<str:kind>/new/", views.record_create, name="record_create"),
    path("associations/<str:kind>/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("associations/standards/<int:pk>/document/", views.standard_document, name="standard_document"),
    path("associations/memberships/", views.membership_list, name="memberships"),
    path("associations/memberships/export.csv", views.memberships_csv, name="memberships_csv"),
    path("associations/positions/", views.position_list, name="positions"),
    path("associations/positions/export.csv", views.positions_csv, name="positions_csv"),
    path("associations/events/", views.event_list, name="events"),
    path("associations/events/export.csv", views.events_csv, name="events_csv"),
    # Industry reports (P4.4.3).
    path("associations/reports/", views.report_list, name="reports"),
    path("associations/reports/export.csv", views.reports_csv, name="reports_csv"),
    path("associations/reports/inbox/", views.inbox, name="inbox"),
    path("associations/reports/new/", views.report_create, name="report_create"),
    path("associations/reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("associations/reports/<int:pk>/file/", views.report_file, name="report_file"),
    path("associations/reports/<int:pk>/read/", views.report_read, name="report_read"),
    path("associations/reports/<int:pk>/comment/", views.report_comment, name="report_comment"),
]
