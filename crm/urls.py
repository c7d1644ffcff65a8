from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health, views
from .api import api_urls

urlpatterns = [
    # Probes for load balancers and monitors: open to anyone, JSON, no reasons (crm/health.py).
    path("healthz", views.HealthView.as_view(), name="healthz"),
    path("readyz", views.HealthView.as_view(checks=health.READINESS_CHECKS), name="readyz"),
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("profile/tokens/new/", views.api_token_create, name="api_token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    # The JSON API (crm/api.py, docs/api.md), its OpenAPI schema and its documentation page.
    path("api/", include((api_urls(), "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/rotate/", views.calendar_rotate, name="calendar_rotate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("operations/", views.operations, name="operations"),
    path("actions/", views.corrective_action_list, name="corrective_actions"),
    path("actions/<int:pk>/", views.corrective_action_detail, name="corrective_action_detail"),
    path("actions/<int:pk>/respond/", views.corrective_action_respond, name="corrective_action_respond"),
    path("actions/<int:pk>/verify/", views.corrective_action_verify, name="corrective_action_verify"),
    path("actions/<int:pk>/cancel/", views.corrective_action_cancel, name="corrective_action_cancel"),
    path("actions/<int:pk>/evidence/", views.corrective_action_evidence, name="corrective_action_evidence"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Before Django's own: a signed-in user's switch is saved as their language too.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("partners.urls")),
    path("", include("partners.suppliers.urls")),
    path("", include("partners.customers.urls")),
    path("", include("partners.cases.urls")),
    path("", include("partners.partnerships.urls")),
    path("", include("partners.associations.urls")),
    path("", include("partners.agreements.urls")),
    path("", include("partners.projects.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("", include("evaluations.surveys.urls")),
    # Cases, surveys and the public forms lived under /supervision/ until they moved to their
    # own apps: links already e-mailed and bookmarks keep working, token and query included.
    re_path(r"^supervision/(?P<rest>(?:cases|surveys|feedback|s)/.*)$", views.moved, name="moved"),
    path("supervision/", include("supervision.urls")),
]

# Uploaded files are never served from /media/, in debug or not: each goes through a view that
# checks access and sends it as an attachment (crm/uploads.py).
