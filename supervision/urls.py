from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/send/", views.survey_send, name="survey_send"),
    path("surveys/results/", views.results, name="results"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/export.csv", views.case_export, name="case_export"),
    path("cases/sla/", views.sla_report, name="sla_report"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/note/", views.case_note, name="case_note"),
    path("cases/<int:pk>/status/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    # Public: the complaint / suggestion form (no login).
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/thanks/", views.feedback_thanks, name="feedback_thanks"),
    # Public: the single-use link emailed to a contact (no login).
    path("s/<str:token>/", views.respond, name="respond"),
]
