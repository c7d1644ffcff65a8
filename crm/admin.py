from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .admin_base import RecordAdmin
from .models import CorrectiveAction, Department, Profile

# The admin in our name ("Django administration" otherwise), in the reader's language.
admin.site.site_header = _("Rapport administration")
admin.site.site_title = _("Rapport administration")

# Words Django's admin and django-axes show on every admin page (the section list) that their
# own Chinese catalogues lack. Ours, read before theirs, has them: listed so that
# `make messages` keeps them.
UPSTREAM_TEXTS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("access attempts"),
    gettext_noop("access failures"),
    gettext_noop("access logs"),
]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "code"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]
    list_filter = [*BaseUserAdmin.list_filter, "profile__department"]


# --- Sign-in attempts and the login log (django-axes; AXES_ENABLE_ADMIN is off so these
# replace its own registrations). The logs are read-only and kept: no change, no delete.
# An attempt row can be deleted, which is how an administrator unlocks a locked-out
# sign-in before its cool-off ends (or `manage.py axes_reset_username NAME`).


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(axes_admin.AccessLogAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(axes_admin.AccessFailureLogAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Corrective actions: business records, changed only in the app (crm.services), where
# responding, verification by the supervision group and the frozen verified state are decided.


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(RecordAdmin):
    list_display = ["description", "department", "owner", "due_on", "state", "source_type"]
    # Only the kinds of record that have actions: every content type (Django's own, the
    # history tables') would otherwise be offered, by their code names.
    list_filter = ["state", "department", ("source_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["department", "owner", "source_type"]
    search_fields = ["description"]
    date_hierarchy = "due_on"
