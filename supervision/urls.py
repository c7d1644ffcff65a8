"""The supervision group's pages (P5.1). Links to ``/supervision/cases/``,
``/supervision/surveys/``, ``/supervision/feedback/`` and ``/supervision/s/<token>/`` sent
before cases and surveys moved are redirected by crm/urls.py."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/checklist/", views.plan_checklist, name="plan_checklist"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/samples/new/", views.sample_create, name="sample_create"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/records/<int:pk>/grade/", views.sample_item_grade, name="grade"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/respond/", views.finding_respond, name="finding_respond"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("findings/<int:pk>/actions/new/", views.finding_action, name="finding_action"),
]

urlpatterns += [
    # Policy coverage for a year (issue #11 §3): the page, its targets, one figure's records.
    path("coverage/", views.coverage_page, name="coverage"),
    path("coverage/targets/", views.coverage_targets, name="coverage_targets"),
    path("coverage/targets/<slug:key>/", views.coverage_target_edit, name="coverage_target_edit"),
    path("coverage/<slug:key>/", views.coverage_measure, name="coverage_measure"),
]

# The annual satisfaction report (P5.2).
urlpatterns += [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/summary/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/items/new/", views.report_item_add, name="report_item_add"),
    path("reports/items/<int:pk>/remove/", views.report_item_remove, name="report_item_remove"),
    path("reports/<int:pk>/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("reports/<int:pk>/files/<str:kind>/", views.report_download, name="report_download"),
]
