"""Forms of the partner registry: validate and normalise, then hand cleaned_data to a service."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.concurrency import VersionedFormMixin
from crm.forms import DateInput, DateTimeInput, PlainTextFormMixin
from crm.models import Department

from .models import (
    CONTACT_EDITABLE_FIELDS,
    FAMILY_FIELDS,
    FAMILY_KINDS,
    PARTNER_EDITABLE_FIELDS,
    STATUS_TRANSITIONS,
    Contact,
    FollowUp,
    Interaction,
    Partner,
    Status,
)
from .services import partner_initial_statuses, partner_status_problem

User = get_user_model()

ALL_FAMILY_FIELDS = [f for fields in FAMILY_FIELDS.values() for f in fields]
TAG_MAX = 20


def active_colleagues():
    """Users who can own partners and follow-ups: active, with a role."""
    return (
        User.objects.filter(is_active=True)
        .filter(models_q_has_role())
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def models_q_has_role():
    from django.db.models import Q

    return Q(is_superuser=True) | Q(groups__name__in=[roles.STAFF, roles.MANAGER])


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def user_choices(users) -> list[tuple[int, str]]:
    return [(u.pk, user_label(u)) for u in users]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_label(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_label(obj)


class PartnerForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
    )

    class Meta:
        model = Partner
        fields = list(PARTNER_EDITABLE_FIELDS)
        field_classes = {"owner": UserChoiceField}
        widgets = {
            "customer_since": DateInput(),
            "membership_expires_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "customs": forms.Textarea(attrs={"rows": 2}),
            "products_services": forms.Textarea(attrs={"rows": 3}),
            "capacity_notes": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 3}),
            "cooperation_scope": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, family: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = family
        self.user = user
        for name in ALL_FAMILY_FIELDS:
            if name not in FAMILY_FIELDS[family]:
                del self.fields[name]
        self.fields["kind"].choices = [(k.value, k.label) for k in FAMILY_KINDS[family]]

        creating = self.instance.pk is None
        if creating:
            allowed = partner_initial_statuses(family=family, user=user)
        else:
            allowed = [self.instance.status, *sorted(STATUS_TRANSITIONS[self.instance.status])]
        self.fields["status"].choices = [(s.value, s.label) for s in Status if s in allowed]

        # Owners: managers assign owners within their department; staff own what they create.
        department_id = self.instance.department_id if not creating else roles.user_department_id(user)
        if user.is_superuser:
            self.fields["owner"].queryset = active_colleagues()
            self.fields["department"].queryset = Department.objects.all()
            self.fields["owner"].required = False
            self.fields["department"].required = False
        else:
            del self.fields["department"]
            if roles.is_manager(user):
                self.fields["owner"].queryset = active_colleagues().filter(profile__department_id=department_id)
                self.fields["owner"].required = False
            else:
                del self.fields["owner"]
        if not creating:
            self.initial["tag_names"] = ", ".join(t.name for t in self.instance.tags.all())
        self.fields["name"].widget.attrs["autofocus"] = True

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        qs = Partner.objects.annotate(lname=Lower("name")).filter(family=self.family, lname=name.lower())
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise forms.ValidationError(_("A partner with this name already exists in this family."))
        return name

    def clean_tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tag_names") or ""
        names = []
        for part in raw.replace("，", ",").split(","):
            part = " ".join(part.split())
            if not part:
                continue
            if len(part) > 50:
                raise forms.ValidationError(_("Each tag can have at most 50 characters."))
            if part.lower() not in {n.lower() for n in names}:
                names.append(part)
        if len(names) > TAG_MAX:
            raise forms.ValidationError(_("At most %(max)d tags.") % {"max": TAG_MAX})
        return names

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("status"):
            # The rule lives in the service; the form only shows its answer next to the field.
            problem = partner_status_problem(partner=self.instance, to_status=cleaned["status"], user=self.user)
            if problem:
                self.add_error("status", problem)
        since = cleaned.get("customer_since")
        if since and since > timezone.localdate():
            self.add_error("customer_since", _("This date cannot be in the future."))
        return cleaned

    def _post_clean(self):
        # The name constraint is checked in clean_name with a clearer message; skip the
        # model's own constraint validation (family is not a form field).
        self.instance.family = self.family
        super()._post_clean()


class ContactForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_EDITABLE_FIELDS)
        widgets = {"birthday": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def clean_birthday(self):
        birthday = self.cleaned_data.get("birthday")
        if birthday and birthday > timezone.localdate():
            raise forms.ValidationError(_("A birthday cannot be in the future."))
        return birthday

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        allowed = set("0123456789+-() ")
        if phone and (not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 5):
            raise forms.ValidationError(_("Enter a phone number: digits, spaces, +, - and brackets."))
        return phone

    def validate_constraints(self):
        # The "one primary contact" rule is enforced by contact_save (it demotes the old one).
        return


class InteractionForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    participants = UserMultipleChoiceField(label=_("Our participants"), queryset=User.objects.none(), required=False)

    class Meta:
        model = Interaction
        fields = ["kind", "occurred_at", "subject", "summary", "outcome", "participants", "contacts"]
        widgets = {
            "occurred_at": DateTimeInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "contacts": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, partner: Partner, contacts=None, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["participants"].queryset = active_colleagues()
        self.fields["contacts"].queryset = partner.contacts.all()
        self.fields["contacts"].label = _("Their participants")
        # Lists the page already loaded: render choices from them instead of re-querying.
        if contacts is not None:
            self.fields["contacts"].choices = [(c.pk, c.name) for c in contacts]
        if colleagues is not None:
            self.fields["participants"].choices = user_choices(colleagues)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + dt.timedelta(hours=1):
            raise forms.ValidationError(
                _("An interaction is logged after it happened; plan future contacts as follow-ups.")
            )
        return occurred_at


class FollowUpForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["description", "owner", "due_on"]
        field_classes = {"owner": UserChoiceField}
        widgets = {"due_on": DateInput()}
        labels = {"description": _("Commitment / follow-up")}

    def __init__(self, *args, owners=None, default_owner=None, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners
        if colleagues is not None:
            self.fields["owner"].choices = [("", "---------"), *user_choices(colleagues)]
        # A field initial (not formset initial) keeps the row "unchanged", so an empty
        # follow-up row is simply ignored.
        if default_owner is not None:
            self.fields["owner"].initial = default_owner.pk

    def has_changed(self) -> bool:
        """A row counts as filled in only once it says what was promised or by when."""
        if not self.is_bound:
            return False
        return bool(
            self.data.get(self.add_prefix("description"), "").strip() or self.data.get(self.add_prefix("due_on"), "")
        )


class BaseFollowUpFormSet(forms.BaseFormSet):
    """Follow-ups logged with an interaction; due dates cannot precede the interaction."""

    occurred_on = None

    def clean(self):
        super().clean()
        if self.occurred_on is None:
            return
        for form in self.forms:
            due = getattr(form, "cleaned_data", {}).get("due_on")
            if due and due < self.occurred_on:
                form.add_error("due_on", _("The due date cannot be before the interaction."))

    def filled_forms(self):
        return [f for f in self.forms if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")]


FollowUpFormSet = forms.formset_factory(FollowUpForm, formset=BaseFollowUpFormSet, extra=1, max_num=10)
