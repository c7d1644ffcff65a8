"""django-import-export resources for the registry: how a row becomes a partner, a contact,
an interaction or a tag, and how those are exported back as rows.

Relations use natural keys (owner or author by username or email, department by name,
partner by reference or by name and family); choices accept the stored value or the label
in English or Chinese. Each row is validated like the UI does: the model's ``full_clean``
(constraints included), the status rules of ``partners.services`` and the access rules of
``partners.selectors``; history is recorded by the models' save.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from crm import roles
from crm.models import Department

from .. import selectors, services
from ..models import (
    CONTACT_EDITABLE_FIELDS,
    FAMILY_FIELDS,
    FAMILY_KINDS,
    Channel,
    Contact,
    Family,
    ImportKind,
    Interaction,
    Partner,
    PartnerKind,
    Status,
    Tag,
    Tier,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TAG_SEPARATORS = re.compile(r"[,，;；、]")


@cache
def _choice_lookup(choices, language_codes: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for value, label in choices.choices:
        out[str(value).casefold()] = value
        for code in language_codes:
            with translation.override(code):
                out[str(label).casefold()] = value
    return out


class ChoiceWidget(widgets.Widget):
    """The stored value, or its label in English or Chinese."""

    def __init__(self, choices, *, empty=None, **kwargs):
        self.choices = choices
        self.empty = empty  # "" for an optional choice; None keeps the stored value (or the default)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return self.empty
        lookup = _choice_lookup(self.choices, ("en", "zh-hans"))
        if text.casefold() in lookup:
            return lookup[text.casefold()]
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(str(label) for label in self.choices.labels)}
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class LanguageWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        codes = {code.casefold(): code for code, _label in settings.LANGUAGES}
        if not text:
            return ""
        if text.casefold() in codes:
            return codes[text.casefold()]
        raise ValueError(_("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": ", ".join(codes)})

    def render(self, value, obj=None, **kwargs):
        return value or ""


class BooleanWidget(widgets.Widget):
    TRUE = {"1", "true", "yes", "y", "是", "x", "✓"}
    FALSE = {"", "0", "false", "no", "n", "否"}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write yes or no."))

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        day = parse_date(text.replace("/", "-")[:10])
        if day is None:
            raise ValueError(_("Write the date as YYYY-MM-DD."))
        return day

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DateTimeWidget(widgets.Widget):
    """Local time without an offset (as a spreadsheet shows it), in the site's time zone."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().replace("/", "-")
        if not text:
            return None
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None and (day := parse_date(text)) is not None:
            moment = dt.datetime.combine(day, dt.time(0))
        if moment is None:
            raise ValueError(_("Write the date and time as YYYY-MM-DD HH:MM."))
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class UserWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(get_user_model(), "username")

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        user = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(username__iexact=text) | Q(email__iexact=text))
            .order_by("pk")
            .first()
        )
        if user is None:
            raise ValueError(_("No active user has this username or email: %(value)s.") % {"value": text})
        return user


class DepartmentWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Department, "name")

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        department = Department.objects.filter(Q(name__iexact=text) | Q(name_zh=text) | Q(code__iexact=text)).first()
        if department is None:
            raise ValueError(_("No department has this name: %(value)s.") % {"value": text})
        return department


class TagsWidget(widgets.ManyToManyWidget):
    def __init__(self):
        super().__init__(Tag, field="name")

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in TAG_SEPARATORS.split(str(value or "")) if n.strip()]
        if any(len(n) > Tag._meta.get_field("name").max_length for n in names):
            raise ValueError(_("A tag is at most 50 characters long."))
        return services.tags_from_names(names)

    def render(self, value, obj=None, **kwargs):
        return ", ".join(sorted(t.name for t in value.all())) if value is not None else ""


def find_partner(row: dict) -> Partner | None:
    """A contact's or an interaction's partner: by reference, else by name and family."""
    reference = str(row.get("partner") or "").strip()
    if reference:
        return Partner.objects.filter(reference=reference).first()
    name = str(row.get("partner_name") or "").strip()
    if not name:
        return None
    try:
        family = ChoiceWidget(Family).clean(row.get("partner_family"))
    except ValueError:
        return None
    qs = Partner.objects.filter(name__iexact=name)
    return (qs.filter(family=family) if family else qs).order_by("pk").first()


def partner_link(partner: Partner) -> dict[str, str]:
    return {"partner": partner.reference, "partner_name": partner.name, "partner_family": partner.family}


class RegistryResource(resources.ModelResource):
    """Shared behaviour: the importing user, per-row access checks, a progress callback."""

    def __init__(self, *, user: User | None = None, on_row: Callable[[int], None] | None = None):
        super().__init__()
        self.user = user
        self.on_row = on_row

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A contact's or an interaction's partner: by reference, or by name and family.
        if field.attribute == "partner":
            if instance.partner_id is None and (partner := find_partner(row)) is not None:
                instance.partner = partner
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        if self.on_row:
            self.on_row(kwargs.get("row_number", 0))

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, message in self.row_problems(instance, row):
            errors.setdefault(name, []).append(ValidationError(message))
        if errors:
            raise ValidationError(errors)

    def row_problems(self, instance, row) -> list[tuple[str, str]]:
        return []


class PartnerResource(RegistryResource):
    reference = fields.Field("reference", "reference")
    family = fields.Field("family", "family", widget=ChoiceWidget(Family), saves_null_values=False)
    kind = fields.Field("kind", "kind", widget=ChoiceWidget(PartnerKind), saves_null_values=False)
    name = fields.Field("name", "name")
    status = fields.Field("status", "status", widget=ChoiceWidget(Status), saves_null_values=False)
    tier = fields.Field("tier", "tier", widget=ChoiceWidget(Tier), saves_null_values=False)
    owner = fields.Field("owner", "owner", widget=UserWidget(), saves_null_values=False)
    department = fields.Field("department", "department", widget=DepartmentWidget(), saves_null_values=False)
    tags = fields.Field("tags", "tags", widget=TagsWidget())
    preferred_language = fields.Field("preferred_language", "preferred_language", widget=LanguageWidget())
    preferred_channel = fields.Field("preferred_channel", "preferred_channel", widget=ChoiceWidget(Channel, empty=""))
    customer_since = fields.Field("customer_since", "customer_since", widget=DateWidget())
    membership_expires_on = fields.Field("membership_expires_on", "membership_expires_on", widget=DateWidget())

    class Meta:
        model = Partner
        fields = (
            "reference",
            "family",
            "kind",
            "name",
            "status",
            "tier",
            "owner",
            "department",
            "industry",
            "region",
            "website",
            "tags",
            "description",
            "preferred_language",
            "preferred_channel",
            "customs",
            "products_services",
            "capacity_notes",
            "needs",
            "customer_since",
            "cooperation_scope",
            "membership_level",
            "membership_expires_on",
        )
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True

    def get_queryset(self):
        return Partner.objects.select_related("owner", "department").prefetch_related("tags").order_by("pk")

    def dehydrate_owner(self, partner):
        return partner.owner.username

    def dehydrate_department(self, partner):
        return partner.department.name

    def get_instance(self, instance_loader, row):
        reference = str(row.get("reference") or "").strip()
        if reference and (partner := Partner.objects.filter(reference=reference).first()):
            return partner
        try:
            family = ChoiceWidget(Family).clean(row.get("family"))
        except ValueError:
            return None
        name = str(row.get("name") or "").strip()
        if not family or not name:
            return None
        return Partner.objects.filter(family=family, name__iexact=name).first()

    def after_init_instance(self, instance, new, row, **kwargs):
        # What the row may change is judged on the partner as stored, before the row applies.
        instance._stored = None if new else Partner.objects.get(pk=instance.pk)

    def row_problems(self, instance, row):
        user, stored = self.user, instance._stored
        problems = []
        if instance.owner_id is None:
            instance.owner = user
        if instance.department_id is None:
            instance.department_id = roles.user_department_id(user)
        if stored is not None and not selectors.can_manage_partner(user, stored):
            problems.append(("name", _("You may only import partners of your own department.")))
        if not user.is_superuser and instance.department_id != roles.user_department_id(user):
            problems.append(("department", _("You may only import partners of your own department.")))
        if stored is not None and stored.family != instance.family:
            problems.append(("family", _("A partner's family cannot change.")))
        if instance.kind and instance.family in FAMILY_KINDS and instance.kind not in FAMILY_KINDS[instance.family]:
            problems.append(("kind", _("This type does not belong to this family.")))
        for family, names in FAMILY_FIELDS.items():
            if family != instance.family:
                problems += [
                    (n, _("This column does not apply to this family.")) for n in names if getattr(instance, n)
                ]
        if stored is None:
            if instance.family in Family.values and instance.status not in services.partner_initial_statuses(
                family=instance.family, user=user
            ):
                problems.append(("status", _("A new partner of this family starts as a candidate.")))
        elif message := services.partner_status_problem(partner=stored, to_status=instance.status, user=user):
            problems.append(("status", message))
        return problems


class ContactResource(RegistryResource):
    partner = fields.Field("partner", "partner", widget=widgets.ForeignKeyWidget(Partner, "reference"))
    partner_name = fields.Field(column_name="partner_name", readonly=True)
    partner_family = fields.Field(column_name="partner_family", readonly=True)
    birthday = fields.Field("birthday", "birthday", widget=DateWidget())
    preferred_channel = fields.Field("preferred_channel", "preferred_channel", widget=ChoiceWidget(Channel, empty=""))
    preferred_language = fields.Field("preferred_language", "preferred_language", widget=LanguageWidget())
    marketing_consent = fields.Field("marketing_consent", "marketing_consent", widget=BooleanWidget())
    greetings_consent = fields.Field("greetings_consent", "greetings_consent", widget=BooleanWidget())
    is_primary = fields.Field("is_primary", "is_primary", widget=BooleanWidget())

    class Meta:
        model = Contact
        fields = ("partner", "partner_name", "partner_family", *CONTACT_EDITABLE_FIELDS)
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True

    def get_queryset(self):
        return Contact.objects.select_related("partner").order_by("partner_id", "pk")

    def dehydrate_partner(self, contact):
        return contact.partner.reference

    def dehydrate_partner_name(self, contact):
        return contact.partner.name

    def dehydrate_partner_family(self, contact):
        return contact.partner.family

    def get_instance(self, instance_loader, row):
        partner = find_partner(row)
        if partner is None:
            return None
        contacts = partner.contacts.all()
        email = str(row.get("email") or "").strip()
        if email and (contact := contacts.filter(email__iexact=email).first()):
            return contact
        return contacts.filter(name__iexact=str(row.get("name") or "").strip()).first()

    def row_problems(self, instance, row):
        if instance.partner_id is None:
            return [("partner", _("No partner has this reference, or this name in this family."))]
        if not selectors.can_manage_partner(self.user, instance.partner):
            return [("partner", _("You may only import contacts of your own department's partners."))]
        return []

    def do_instance_save(self, instance, is_create):
        services.contact_save(contact=instance)  # one primary contact per partner


class InteractionResource(RegistryResource):
    partner = fields.Field("partner", "partner", widget=widgets.ForeignKeyWidget(Partner, "reference"))
    partner_name = fields.Field(column_name="partner_name", readonly=True)
    partner_family = fields.Field(column_name="partner_family", readonly=True)
    kind = fields.Field("kind", "kind", widget=ChoiceWidget(Interaction.Kind), saves_null_values=False)
    occurred_at = fields.Field("occurred_at", "occurred_at", widget=DateTimeWidget())
    author = fields.Field("author", "author", widget=UserWidget(), saves_null_values=False)

    class Meta:
        model = Interaction
        fields = (
            "partner",
            "partner_name",
            "partner_family",
            "kind",
            "occurred_at",
            "subject",
            "summary",
            "outcome",
            "author",
        )
        import_id_fields = ("subject",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True

    def get_queryset(self):
        return Interaction.objects.select_related("partner", "author").order_by("occurred_at", "pk")

    def dehydrate_partner(self, interaction):
        return interaction.partner.reference

    def dehydrate_partner_name(self, interaction):
        return interaction.partner.name

    def dehydrate_partner_family(self, interaction):
        return interaction.partner.family

    def dehydrate_author(self, interaction):
        return interaction.author.username

    def get_instance(self, instance_loader, row):
        partner = find_partner(row)
        try:
            occurred_at = DateTimeWidget().clean(row.get("occurred_at"))
        except ValueError:
            return None
        if partner is None or occurred_at is None:
            return None
        subject = str(row.get("subject") or "").strip()
        return partner.interactions.filter(occurred_at=occurred_at, subject=subject).first()

    def row_problems(self, instance, row):
        if instance.author_id is None:
            instance.author = self.user
        if instance.department_id is None:
            instance.department_id = roles.user_department_id(instance.author)
        if instance.partner_id is None:
            return [("partner", _("No partner has this reference, or this name in this family."))]
        if not selectors.can_manage_partner(self.user, instance.partner):
            return [("partner", _("You may only import interactions of your own department's partners."))]
        return []

    def after_save_instance(self, instance, row, **kwargs):
        services.partner_touch_last_contact(instance.partner, instance.occurred_at)


class TagResource(RegistryResource):
    class Meta:
        model = Tag
        fields = ("name",)
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True

    def get_instance(self, instance_loader, row):
        return Tag.objects.filter(name__iexact=str(row.get("name") or "").strip()).first()


RESOURCES: dict[str, type[RegistryResource]] = {
    ImportKind.PARTNERS: PartnerResource,
    ImportKind.CONTACTS: ContactResource,
    ImportKind.INTERACTIONS: InteractionResource,
    ImportKind.TAGS: TagResource,
}
