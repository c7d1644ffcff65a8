from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    # The partner family's pipeline (P4.3.1).
    path("partners/pipeline/", views.pipeline, name="pipeline"),
    path("partners/<int:pk>/pipeline/<str:stage>/", views.partnership_move, name="move"),
]
