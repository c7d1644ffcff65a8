from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    # Customer care (P4.2.1 needs, P4.2.3 care calendar and campaigns, P3.1 gifts).
    path("partners/<int:pk>/needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("care/needs/", views.needs_summary, name="needs_summary"),
    path("care/needs/export.csv", views.needs_export, name="needs_export"),
    path("care/calendar/", views.care_calendar, name="care_calendar"),
    path("care/greetings/<int:pk>/mark/", views.greeting_mark, name="greeting_mark"),
    path("care/gifts/", views.gift_list, name="gift_list"),
    path("partners/<int:pk>/gifts/new/", views.gift_create, name="gift_create"),
    path("care/gifts/<int:pk>/decide/", views.gift_decide, name="gift_decide"),
    path("care/campaigns/", views.campaign_list, name="campaign_list"),
    path("care/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("care/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("care/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("care/campaigns/<int:pk>/send/", views.campaign_send, name="campaign_send"),
    # Public: the unsubscribe link of a campaign email (no login; the token is the key).
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
