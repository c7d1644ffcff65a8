from django.urls import path

from . import care_views, views

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
    path("follow-ups/", views.followup_list, name="followups"),
    path("follow-ups/<int:pk>/done/", views.followup_complete, name="followup_complete"),
    path("follow-ups/<int:pk>/reopen/", views.followup_reopen, name="followup_reopen"),
    # Customer care (P4.2.1 needs, P4.2.3 care calendar and campaigns, P3.1 gifts).
    path("partners/<int:pk>/needs/new/", care_views.need_create, name="need_create"),
    path("needs/<int:pk>/edit/", care_views.need_edit, name="need_edit"),
    path("care/needs/", care_views.needs_summary, name="needs_summary"),
    path("care/needs/export.csv", care_views.needs_export, name="needs_export"),
    path("care/calendar/", care_views.care_calendar, name="care_calendar"),
    path("care/greetings/<int:pk>/mark/", care_views.greeting_mark, name="greeting_mark"),
    path("care/gifts/", care_views.gift_list, name="gift_list"),
    path("partners/<int:pk>/gifts/new/", care_views.gift_create, name="gift_create"),
    path("care/gifts/<int:pk>/decide/", care_views.gift_decide, name="gift_decide"),
    path("care/campaigns/", care_views.campaign_list, name="campaign_list"),
    path("care/campaigns/new/", care_views.campaign_create, name="campaign_create"),
    path("care/campaigns/<int:pk>/", care_views.campaign_detail, name="campaign_detail"),
    path("care/campaigns/<int:pk>/edit/", care_views.campaign_edit, name="campaign_edit"),
    path("care/campaigns/<int:pk>/send/", care_views.campaign_send, name="campaign_send"),
    # Public: the unsubscribe link of a campaign email (no login; the token is the key).
    path("u/<str:token>/", care_views.unsubscribe, name="unsubscribe"),
]
