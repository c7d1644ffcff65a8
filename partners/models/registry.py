"""The partner registry (P2), contacts, and the interaction log (P3.3, P4.1.2).

One table holds every partner: the four families share most fields and the lists,
the dashboard and the annual report read across families. Family-specific fields are
nullable columns shown only on that family's form (see ``FAMILY_FIELDS``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.choices import choice_label
from crm.cleaning import between
from crm.lists import url_pattern
from crm.models import Department, TimeStampedModel


class Family(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    ASSOCIATION = "association", _("Association")


FAMILY_PLURALS = {
    Family.SUPPLIER: _("Suppliers"),
    Family.CUSTOMER: _("Customers"),
    Family.PARTNER: _("Partners"),
    Family.ASSOCIATION: _("Associations"),
}


class PartnerKind(models.TextChoices):
    """Sub-type inside a family (P2)."""

    MANUFACTURER = "manufacturer", _("Manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")
    STRATEGIC = "strategic", _("Strategic partner")
    TECHNOLOGY = "technology", _("Technology cooperation")
    MARKET = "market", _("Market cooperation")
    RESOURCE_SHARING = "resource_sharing", _("Resource sharing")
    INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
    CHAMBER_OF_COMMERCE = "chamber_of_commerce", _("Chamber of commerce")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    OTHER_INSTITUTION = "other_institution", _("Other institution")


FAMILY_KINDS: dict[str, list[str]] = {
    Family.SUPPLIER: [PartnerKind.MANUFACTURER, PartnerKind.DISTRIBUTOR, PartnerKind.SERVICE_PROVIDER],
    Family.CUSTOMER: [PartnerKind.COMPANY, PartnerKind.INDIVIDUAL],
    Family.PARTNER: [PartnerKind.STRATEGIC, PartnerKind.TECHNOLOGY, PartnerKind.MARKET, PartnerKind.RESOURCE_SHARING],
    Family.ASSOCIATION: [
        PartnerKind.INDUSTRY_ASSOCIATION,
        PartnerKind.CHAMBER_OF_COMMERCE,
        PartnerKind.RESEARCH_INSTITUTE,
        PartnerKind.OTHER_INSTITUTION,
    ],
}

# Fields that only make sense for one family; the form shows them for that family only.
FAMILY_FIELDS: dict[str, list[str]] = {
    Family.SUPPLIER: ["products_services", "capacity_notes"],
    Family.CUSTOMER: ["needs", "customer_since"],
    Family.PARTNER: ["cooperation_scope"],
    # An association's membership (level, fee, term, renewal) lives in partners.associations
    # (its migration 0002 copied these two columns there); the columns stay until a migration of
    # this app drops them, and are no longer shown or edited on the registry card.
    Family.ASSOCIATION: [],
}


# Fields a user edits on the partner form (family-specific ones shown for their family only).
PARTNER_EDITABLE_FIELDS = (
    "name",
    "reference",
    "kind",
    "status",
    "tier",
    "owner",
    "department",
    "industry",
    "region",
    "website",
    "description",
    "preferred_language",
    "preferred_channel",
    "customs",
    *(name for fields in FAMILY_FIELDS.values() for name in fields),
)


class Status(models.TextChoices):
    """Lifecycle: candidate → active → probation/suspended → terminated (archived separately)."""

    CANDIDATE = "candidate", _("Prospect / candidate")
    ACTIVE = "active", _("Active")
    PROBATION = "probation", _("Probation")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.CANDIDATE: {Status.ACTIVE, Status.TERMINATED},
    Status.ACTIVE: {Status.PROBATION, Status.SUSPENDED, Status.TERMINATED},
    Status.PROBATION: {Status.ACTIVE, Status.SUSPENDED, Status.TERMINATED},
    Status.SUSPENDED: {Status.ACTIVE, Status.PROBATION, Status.TERMINATED},
    # A terminated relationship can only start again from the beginning.
    Status.TERMINATED: {Status.CANDIDATE},
}


class Tier(models.IntegerChoices):
    """Stored as a number so sorting by tier puts key partners first."""

    KEY = 1, _("Key")
    IMPORTANT = 2, _("Important")
    NORMAL = 3, _("Normal")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ONLINE_CHAT = "online_chat", _("Online chat")
    MEETING = "meeting", _("In person")
    WECHAT = "wechat", _("WeChat")
    LETTER = "letter", _("Letter")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Partner(TimeStampedModel):
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    kind = models.CharField(_("type"), max_length=30, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # The partner's number in another system (ERP, the spreadsheet it came from): an import
    # matches rows to partners by it first, then by name within the family.
    reference = models.CharField(
        _("external reference"),
        max_length=64,
        blank=True,
        help_text=_("Its number in another system (ERP, a spreadsheet): imports match partners by it."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, default=Tier.NORMAL, validators=between(min(Tier.values), max(Tier.values))
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_partners",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="partners"
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="partners")
    description = models.TextField(_("description"), max_length=5000, blank=True)

    # Preferences (P3.4 respect and inclusion): shown to whoever contacts the partner.
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    preferred_channel = models.CharField(_("preferred channel"), max_length=20, choices=Channel.choices, blank=True)
    customs = models.TextField(
        _("customs to respect"),
        max_length=2000,
        blank=True,
        help_text=_("Culture, habits, holidays or etiquette to keep in mind when contacting this partner."),
    )

    # Supplier (P4.1)
    products_services = models.TextField(_("products / services supplied"), max_length=2000, blank=True)
    capacity_notes = models.TextField(_("production capacity"), max_length=2000, blank=True)
    # Customer (P4.2.1)
    needs = models.TextField(_("needs and preferences"), max_length=5000, blank=True)
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    # Partner (P4.3)
    cooperation_scope = models.TextField(_("cooperation scope"), max_length=2000, blank=True)
    # Association (P4.4)
    membership_level = models.CharField(_("membership level"), max_length=100, blank=True)
    membership_expires_on = models.DateField(_("membership expires on"), null=True, blank=True)

    # Denormalised from Interaction by interaction_log so the lists can filter and sort
    # on "last contact" with an index instead of an aggregate per row.
    last_contacted_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[tags], excluded_fields=["last_contacted_at", "updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "family",
                name="partner_unique_name_per_family",
                violation_error_message=_("A partner with this name already exists in this family."),
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="partner_unique_reference",
                violation_error_message=_("Another partner has this external reference."),
            ),
        ]
        indexes = [
            # The lists (issue #15): each order ``partner_list_order`` gives has the index below
            # with its key, so a page is read from the index in order and never sorts the
            # table. The default lists show current partners by name: partial indexes, on the
            # list's own filter, for the family lists and "All partners"; archived ones apart.
            models.Index(
                fields=["family", "name", "id"],
                name="partner_family_list_idx",
                condition=models.Q(archived_at__isnull=True),
            ),
            models.Index(fields=["name", "id"], name="partner_name_idx", condition=models.Q(archived_at__isnull=True)),
            models.Index(
                fields=["name", "id"], name="partner_archived_name_idx", condition=models.Q(archived_at__isnull=False)
            ),
            # Filter by status or tier (sorted by name), sort by status or tier (then name).
            models.Index(fields=["status", "name", "id"], name="partner_status_idx"),
            models.Index(fields=["tier", "name", "id"], name="partner_tier_idx"),
            # Filter "last contact older than N days", sort by last contact, dashboard. The
            # descending sort (never contacted still last) has its own index on PostgreSQL,
            # partners 0013 (SQLite takes no NULLS LAST in an index).
            models.Index(fields=["last_contacted_at", "id"], name="partner_last_contact_idx"),
            models.Index(fields=["owner", "last_contacted_at"], name="partner_owner_contact_idx"),
            # Sort by creation.
            models.Index(fields=["created_at", "id"], name="partner_created_idx"),
            models.Index(fields=["updated_at"], name="partner_updated_idx"),
            # Needs summary and campaigns: segment by family and industry.
            models.Index(fields=["family", "industry"], name="partner_industry_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # Lists call this on every row: format a cached pattern instead of reverse().
        return url_pattern("partners:detail").format(self.pk)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_candidate(self) -> bool:
        return self.status == Status.CANDIDATE

    # Cached labels (crm/choices.py): the lists show these on every row.
    def get_family_display(self) -> str:
        return choice_label(Family, self.family)

    def get_kind_display(self) -> str:
        return choice_label(PartnerKind, self.kind)

    def get_status_display(self) -> str:
        return choice_label(Status, self.status)

    def get_tier_display(self) -> str:
        return choice_label(Tier, self.tier)

    def family_plural(self) -> str:
        return FAMILY_PLURALS[self.family]

    def family_field_values(self) -> list[tuple[str, object]]:
        """(label, display value) of this family's own fields, for the detail page."""
        out = []
        for name in FAMILY_FIELDS.get(self.family, []):
            field = self._meta.get_field(name)
            out.append((field.verbose_name, getattr(self, name)))
        return out


# What people fill in about a contact: its form, its import, its API and its edits' check.
CONTACT_EDITABLE_FIELDS = (
    "name",
    "title",
    "email",
    "phone",
    "birthday",
    "preferred_channel",
    "preferred_language",
    "marketing_consent",
    "greetings_consent",
    "is_primary",
    "notes",
)


class Contact(TimeStampedModel):
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    preferred_channel = models.CharField(_("preferred channel"), max_length=20, choices=Channel.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    marketing_consent = models.BooleanField(_("consents to product news and promotions"), default=False)
    greetings_consent = models.BooleanField(_("consents to greetings"), default=False)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(is_primary=True),
                name="contact_one_primary_per_partner",
                violation_error_message=_("This partner already has a primary contact."),
            )
        ]
        indexes = [
            # Partner search matches contact names.
            models.Index(fields=["name"], name="contact_name_idx"),
            # Care calendar (birthdays) reads by birthday.
            models.Index(fields=["birthday"], name="contact_birthday_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Interaction(TimeStampedModel):
    """One logged contact with a partner (P3.3 every contact is logged)."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        ONLINE_CHAT = "online_chat", _("Online chat")
        EVENT = "event", _("Event")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    occurred_at = models.DateTimeField(_("date and time"))
    subject = models.CharField(_("subject"), max_length=200)
    summary = models.TextField(_("summary / agenda"), max_length=10000, blank=True)
    outcome = models.TextField(_("outcome"), max_length=5000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    # The author's department when logged: "recent interactions in my department".
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), blank=True, related_name="interactions"
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("their participants"), blank=True, related_name="interactions"
    )

    history = HistoricalRecords(m2m_fields=[participants, contacts], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            # Partner timeline.
            models.Index(fields=["partner", "-occurred_at"], name="interaction_timeline_idx"),
            # Dashboard: recent interactions in my department.
            models.Index(fields=["department", "-occurred_at"], name="interaction_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_kind_display(self) -> str:
        return choice_label(Interaction.Kind, self.kind)


class FollowUp(TimeStampedModel):
    """A commitment made to a partner, owed by one of us (P3.1 keep promises, P3.3)."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="followups")
    interaction = models.ForeignKey(
        Interaction,
        verbose_name=_("interaction"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
    )
    description = models.CharField(_("commitment / follow-up"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="followups"
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            # "My follow-ups" and the dashboard: open ones by due date, done ones by date.
            models.Index(fields=["owner", "done_at", "due_on"], name="followup_owner_idx"),
            # The open and overdue tabs in their order (due_on, id), so that their page ends the
            # read: at 1,000,000 interactions a user owes about a thousand (5 ms to sort).
            models.Index(
                fields=["owner", "due_on", "id"], condition=models.Q(done_at__isnull=True), name="followup_open_idx"
            ),
            models.Index(fields=["due_on"], name="followup_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
