from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/send/", views.survey_send, name="survey_send"),
    path("surveys/results/", views.results, name="results"),
    path("surveys/results/export/", views.results_export, name="results_export"),
    # Public: the single-use link emailed to a contact (no login).
    path("s/<str:token>/", views.respond, name="respond"),
]
