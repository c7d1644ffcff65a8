from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("partner/<int:pk>/", views.scorecard, name="scorecard"),
    path("partner/<int:pk>/screening/", views.screening_open, name="screening_open"),
    path("partner/<int:pk>/screening/override/", views.screening_override, name="screening_override"),
    path("partner/<int:pk>/assessment/", views.assessment_open, name="assessment_open"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/close/", views.evaluation_close, name="close"),
    path("<int:pk>/decision/", views.decision_create, name="decide"),
    path("<int:pk>/incentive/", views.incentive_propose, name="incentive_propose"),
    path("<int:pk>/amend/", views.evaluation_amend, name="amend"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("incentives/<int:pk>/approve/", views.incentive_approve, name="incentive_approve"),
    path("incentives/<int:pk>/reject/", views.incentive_reject, name="incentive_reject"),
]
