from django.urls import path

from . import views

app_name = "suppliers"

urlpatterns = [
    path("partners/<int:pk>/qualifications/new/", views.qualification_create, name="qualification_create"),
    path("qualifications/<int:pk>/edit/", views.qualification_edit, name="qualification_edit"),
    path("qualifications/<int:pk>/file/", views.qualification_file, name="qualification_file"),
]
