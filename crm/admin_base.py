"""The two kinds of admin page every app uses, so the admin never allows what the app refuses.

- ``RecordAdmin``: business records (partners, interactions, evaluations, decisions, cases,
  surveys, gifts …). Read-only in the admin for everyone, superusers included. They change
  only in the app, through the services, where the department rules, the P4.1.1 screening
  gate, status transitions and frozen states (closed evaluations, decisions) are decided.
- ``ConfigAdmin``: configuration (scorecard and survey templates, service-level targets,
  holidays …), written by whoever holds Django's change permission for it. Its number inputs
  carry their model field's bounds (``min``/``max``); the model's validators refuse the rest.

Both keep django-simple-history's pages for reading only. Its "revert" form saves on POST
with a mere view permission (``history_form_view`` checks view-or-change), so it is refused
for every method but GET/HEAD whoever asks: a past version is read, never restored from the
admin. The history list is paginated and its diffs cost no query per version, so a record with
thousands of versions opens with a fixed number of queries.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .forms import bound_like_model_field

SAFE_METHODS = ("GET", "HEAD")


class HistoryReadOnlyMixin:
    history_list_per_page = 50

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in SAFE_METHODS:
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history diffs each version's many-to-many rows with two queries per version and
        loads each foreign key's object: that is what made long histories take seconds. Here
        foreign keys are compared by id and many-to-many fields (tags, participants) are left to
        the app's own history page, so a page of versions costs the same whatever its length."""
        previous = None
        for current in historical_records:
            if previous is not None:
                m2m = [field.name for field in previous._history_m2m_fields]
                delta = previous.diff_against(current, excluded_fields=m2m, foreign_keys_are_objs=False)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


class ReadOnlyPermissionsMixin:
    """No add, change or delete for anyone; inlines and bulk actions follow."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecordAdmin(ReadOnlyPermissionsMixin, HistoryReadOnlyMixin, SimpleHistoryAdmin):
    """A business record with history: look, never write (see the module docstring)."""

    actions = None


class PlainRecordAdmin(ReadOnlyPermissionsMixin, admin.ModelAdmin):
    """A business record without history of its own: look, never write."""

    actions = None


class RecordInline(ReadOnlyPermissionsMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class BoundedNumbersMixin:
    """Number inputs with their model field's bounds, as in the app's forms (crm/forms.py)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return bound_like_model_field(super().formfield_for_dbfield(db_field, request, **kwargs), db_field)


class ConfigAdmin(BoundedNumbersMixin, admin.ModelAdmin):
    """Configuration: Django's model permissions decide."""


class ConfigHistoryAdmin(BoundedNumbersMixin, HistoryReadOnlyMixin, SimpleHistoryAdmin):
    """Configuration with history: Django's model permissions decide; history is read-only."""


class ConfigTabularInline(BoundedNumbersMixin, admin.TabularInline):
    """Rows of a configuration (a template's bands, a survey's questions)."""


class ConfigStackedInline(BoundedNumbersMixin, admin.StackedInline):
    """Rows of a configuration shown one below the other (a template's criteria)."""


class SuperuserOnlyMixin:
    """Configuration that only superusers change (shared vocabularies, calendars)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class SuperuserConfigAdmin(SuperuserOnlyMixin, ConfigAdmin):
    pass
