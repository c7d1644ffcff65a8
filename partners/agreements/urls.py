from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    # Agreements with partners and their execution (P4.3.2).
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/export.csv", views.agreement_export, name="export"),
    path("partners/<int:pk>/agreements/", views.partner_agreements, name="partner_agreements"),
    path("partners/<int:pk>/agreements/new/", views.agreement_create, name="create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<int:pk>/renew/", views.agreement_renew, name="renew"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("agreements/<int:pk>/documents/new/", views.document_add, name="document_add"),
    path("agreements/documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("agreements/<int:pk>/obligations/new/", views.obligation_add, name="obligation_add"),
    path("agreements/obligations/<int:pk>/status/", views.obligation_status, name="obligation_status"),
    path("agreements/<int:pk>/review/", views.review_record, name="review"),
    path("agreements/reviews/<int:pk>/actions/new/", views.review_action_add, name="review_action_add"),
]
