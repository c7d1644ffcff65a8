"""The supervision group's pages (P5): none yet. Links to ``/supervision/cases/``,
``/supervision/surveys/``, ``/supervision/feedback/`` and ``/supervision/s/<token>/`` sent
before cases and surveys moved are redirected by crm/urls.py."""

app_name = "supervision"

urlpatterns: list = []
