"""Models of the registry (P2, P3): partners, contacts, tags, interactions, follow-ups."""

from .imports import ImportJob, ImportKind
from .registry import (
    CONTACT_EDITABLE_FIELDS,
    FAMILY_FIELDS,
    FAMILY_KINDS,
    FAMILY_PLURALS,
    PARTNER_EDITABLE_FIELDS,
    STATUS_TRANSITIONS,
    Channel,
    Contact,
    Family,
    FollowUp,
    Interaction,
    Partner,
    PartnerKind,
    Status,
    Tag,
    Tier,
)

__all__ = [
    "CONTACT_EDITABLE_FIELDS",
    "Channel",
    "Contact",
    "FAMILY_FIELDS",
    "FAMILY_KINDS",
    "FAMILY_PLURALS",
    "Family",
    "FollowUp",
    "ImportJob",
    "ImportKind",
    "Interaction",
    "PARTNER_EDITABLE_FIELDS",
    "Partner",
    "PartnerKind",
    "STATUS_TRANSITIONS",
    "Status",
    "Tag",
    "Tier",
]
