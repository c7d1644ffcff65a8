"""Agreements are records: read-only in the admin (crm/admin_base.py). They change on the
agreement's pages, through ``services``, where the department rule, the overlap rule and the
uploads' checks are decided (P4.3.2)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm.admin_base import RecordAdmin

from .models import Agreement, AgreementDocument, ExecutionReview, Obligation


@admin.register(Agreement)
class AgreementAdmin(RecordAdmin):
    list_display = ["title", "kind", "status", "department", "starts_on", "ends_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["partners", "owner", "renews"]
    list_select_related = ["department"]


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(RecordAdmin):
    list_display = ["title", "agreement", "created_at"]
    raw_id_fields = ["agreement", "uploaded_by"]
    list_select_related = ["agreement"]
    # The file through the view that checks access, never its /media/ address (crm/uploads.py).
    exclude = ["file"]
    readonly_fields = ["download"]

    @admin.display(description=_("File"))
    def download(self, obj: AgreementDocument) -> str:
        if not obj.pk or not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("agreements:document_file", args=[obj.pk]), obj.title)


@admin.register(Obligation)
class ObligationAdmin(RecordAdmin):
    list_display = ["description", "agreement", "party", "due_on", "status"]
    list_filter = ["party", "status"]
    raw_id_fields = ["agreement", "owner", "followup"]
    list_select_related = ["agreement"]


@admin.register(ExecutionReview)
class ExecutionReviewAdmin(RecordAdmin):
    list_display = ["agreement", "due_on", "reviewed_on", "rating"]
    raw_id_fields = ["agreement", "reviewed_by"]
    list_select_related = ["agreement"]
