"""Writes for the partner registry. Each service is atomic: all of it or none of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.concurrency import check_version

from .models import (
    CONTACT_EDITABLE_FIELDS,
    PARTNER_EDITABLE_FIELDS,
    STATUS_TRANSITIONS,
    Contact,
    FollowUp,
    Interaction,
    Partner,
    Status,
    Tag,
)
from .reminders import followup_assigned

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import User


class DuplicatePartnerName(Exception):
    """Raised when the database refuses a second partner with the same name in a family."""


PARTNER_FIELDS = PARTNER_EDITABLE_FIELDS

# A family may gate a status change on evidence another app owns: a supplier becomes active
# only after screening (P4.1.1, decided by evaluations). That app registers a gate in its
# AppConfig.ready(); ``gate(partner) -> message`` returns why the move is refused, or "".
STATUS_GATES: dict[tuple[str, str], list[Callable[[Partner], str]]] = defaultdict(list)


def register_status_gate(*, family: str, to_status: str, gate: Callable[[Partner], str]) -> None:
    if gate not in STATUS_GATES[(family, to_status)]:
        STATUS_GATES[(family, to_status)].append(gate)


def partner_status_problem(*, partner: Partner, to_status: str, user: User | None = None) -> str:
    """Why ``partner`` may not move from its stored status to ``to_status``, or "" if it may.

    The one place the lifecycle rule is decided: the allowed moves (STATUS_TRANSITIONS) and the
    families' gates. Superusers pass the gates (not the moves), as an administrator's override."""
    if to_status == partner.status:
        return ""
    if to_status not in STATUS_TRANSITIONS.get(partner.status, set()):
        return _("A partner cannot go from %(old)s to %(new)s.") % {
            "old": Status(partner.status).label,
            "new": Status(to_status).label,
        }
    if user is not None and user.is_superuser:
        return ""
    for gate in STATUS_GATES[(partner.family, to_status)]:
        if message := gate(partner):
            return message
    return ""


def partner_initial_statuses(*, family: str, user: User) -> list[str]:
    """The statuses a new partner of ``family`` may be registered with. A family whose becoming
    active is gated (a supplier's screening P4.1.1, a partner's assessment P4.3.1) starts as a
    candidate; superusers may register an existing relationship as active directly."""
    if STATUS_GATES.get((family, Status.ACTIVE)) and not user.is_superuser:
        return [Status.CANDIDATE]
    return [Status.CANDIDATE, Status.ACTIVE]


def partner_status_check(*, partner: Partner, to_status: str, user: User | None = None) -> None:
    if message := partner_status_problem(partner=partner, to_status=to_status, user=user):
        raise ValidationError({"status": message}, code="bad_transition")


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    """Existing tags by name (case-insensitive), creating the missing ones."""
    wanted = {n.strip(): None for n in names if n.strip()}
    if not wanted:
        return []
    existing = {t.name.lower(): t for t in Tag.objects.filter(name__in=list(wanted))}
    tags = []
    for name in wanted:
        tag = existing.get(name.lower())
        if tag is None:
            tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


@transaction.atomic
def partner_create(*, family: str, data: dict, tag_names: Sequence[str], created_by: User) -> Partner:
    """Register a partner (P2). The department defaults to the creator's; the status is one a
    new partner of its family may start with (``partner_initial_statuses``)."""
    partner = Partner(family=family, **{k: v for k, v in data.items() if k in PARTNER_FIELDS})
    if partner.status not in partner_initial_statuses(family=family, user=created_by):
        raise ValidationError(
            {"status": _("A new partner of this family starts as a candidate.")}, code="bad_initial_status"
        )
    if partner.owner_id is None:
        partner.owner = created_by
    if partner.department_id is None:
        partner.department_id = roles.user_department_id(created_by)
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError as exc:
        raise DuplicatePartnerName from exc
    partner.tags.set(tags_from_names(tag_names))
    return partner


@transaction.atomic
def partner_update(*, pk: int, changed: dict, version: str | None = None, user: User | None = None) -> Partner:
    """Apply the ``changed`` fields (and ``tag_names``) to partner ``pk``, reloaded under a lock;
    ``version`` is the one the form was rendered from (``crm.concurrency.StaleEdit`` if the row
    moved since). A status change must be an allowed move and pass its family's gates
    (partner_status_check), whoever calls."""
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=pk)
    check_version(partner, version, fields=list(PARTNER_FIELDS))
    fields = [k for k in PARTNER_FIELDS if k in changed and getattr(partner, k) != changed[k]]
    if "status" in fields:
        partner_status_check(partner=partner, to_status=changed["status"], user=user)
    for field in fields:
        setattr(partner, field, changed[field])
    tags_changed = False
    if "tag_names" in changed:
        new_tags = tags_from_names(changed["tag_names"])
        if {t.pk for t in new_tags} != set(partner.tags.values_list("pk", flat=True)):
            partner.tags.set(new_tags)
            tags_changed = True
    if fields or tags_changed:
        # The tags too move the version: a colleague's form opened before must see it.
        try:
            with transaction.atomic():
                partner.save(update_fields=[*fields, "updated_at"])
        except IntegrityError as exc:
            raise DuplicatePartnerName from exc
    return partner


@transaction.atomic
def partner_archive(*, partner: Partner) -> Partner:
    """Archive rather than delete: the history and the interactions stay."""
    if partner.archived_at is None:
        partner.archived_at = timezone.now()
        partner.save(update_fields=["archived_at", "updated_at"])
    return partner


@transaction.atomic
def partner_restore(*, partner: Partner) -> Partner:
    if partner.archived_at is not None:
        partner.archived_at = None
        partner.save(update_fields=["archived_at", "updated_at"])
    return partner


def _demote_other_primaries(contact: Contact) -> None:
    for other in Contact.objects.filter(partner_id=contact.partner_id, is_primary=True).exclude(pk=contact.pk):
        other.is_primary = False
        other.save(update_fields=["is_primary", "updated_at"])  # .save() so history records it


@transaction.atomic
def contact_save(*, contact: Contact) -> Contact:
    """Add a contact; making it primary demotes the previous primary contact."""
    if contact.is_primary:
        _demote_other_primaries(contact)  # first: one primary contact per partner (a constraint)
    contact.save()
    return contact


CONTACT_FIELDS = CONTACT_EDITABLE_FIELDS


@transaction.atomic
def contact_update(*, pk: int, changed: dict, version: str | None = None, user: User | None = None) -> Contact:
    """Apply only the ``changed`` fields to contact ``pk``, reloaded under a lock: a form opened
    before the contact unsubscribed cannot switch their consent back on (``StaleEdit``), and a
    second, knowing submit writes only what the user changed."""
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=pk)
    check_version(contact, version, fields=list(CONTACT_FIELDS))
    fields = [name for name in CONTACT_FIELDS if name in changed]
    for name in fields:
        setattr(contact, name, changed[name])
    if contact.is_primary and "is_primary" in fields:
        _demote_other_primaries(contact)
    if fields:
        contact.save(update_fields=[*fields, "updated_at"])
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


@dataclass
class FollowUpData:
    description: str
    owner: User
    due_on: dt.date


def partner_touch_last_contact(partner: Partner, occurred_at: dt.datetime) -> None:
    """Move the partner's denormalised last contact forward (never backward)."""
    Partner.objects.filter(pk=partner.pk).filter(
        Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=occurred_at)
    ).update(last_contacted_at=occurred_at)


@transaction.atomic
def interaction_log(
    *,
    partner: Partner,
    author: User,
    data: dict,
    participants: Iterable[User] = (),
    contacts: Iterable[Contact] = (),
    followups: Iterable[FollowUpData] = (),
) -> Interaction:
    """Log one interaction with its commitments (P3.3, P4.1.2)."""
    interaction = Interaction.objects.create(
        partner=partner,
        author=author,
        department_id=roles.user_department_id(author),
        kind=data["kind"],
        occurred_at=data["occurred_at"],
        subject=data["subject"],
        summary=data.get("summary", ""),
        outcome=data.get("outcome", ""),
    )
    interaction.participants.set(list(participants))
    interaction.contacts.set(list(contacts))
    for item in followups:
        followup = FollowUp.objects.create(
            partner=partner,
            interaction=interaction,
            description=item.description,
            owner=item.owner,
            due_on=item.due_on,
        )
        # The owner learns at once, in the same transaction (never a lost or double notice).
        followup_assigned(followup=followup, by=author)
    partner_touch_last_contact(partner, interaction.occurred_at)
    return interaction


INTERACTION_FIELDS = ("kind", "occurred_at", "subject", "summary", "outcome")


@transaction.atomic
def interaction_update(*, pk: int, changed: dict, version: str | None = None, user: User | None = None) -> Interaction:
    """Apply the ``changed`` fields (participants and contacts included) to interaction
    ``pk``, reloaded under a lock (``StaleEdit`` if it moved since ``version``)."""
    interaction = Interaction.objects.select_for_update(of=("self",)).select_related("partner").get(pk=pk)
    check_version(interaction, version, fields=list(INTERACTION_FIELDS))
    fields = [name for name in INTERACTION_FIELDS if name in changed]
    for name in fields:
        setattr(interaction, name, changed[name])
    m2m = [name for name in ("participants", "contacts") if name in changed]
    for name in m2m:
        getattr(interaction, name).set(list(changed[name]))
    if fields or m2m:
        interaction.save(update_fields=[*fields, "updated_at"])
    if "occurred_at" in fields:
        partner_touch_last_contact(interaction.partner, interaction.occurred_at)
    return interaction


@transaction.atomic
def followup_complete(*, followup: FollowUp, user: User, version: str | None = None) -> bool:
    """Mark done; returns False when it already was (a double click does nothing twice).
    ``version``: the API's If-Match (``StaleEdit`` if the follow-up moved since)."""
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    check_version(followup, version, fields=["done_at"])
    if followup.done_at is not None:
        return False
    followup.done_at = timezone.now()
    followup.done_by = user
    followup.save(update_fields=["done_at", "done_by", "updated_at"])
    return True


@transaction.atomic
def followup_reopen(*, followup: FollowUp, version: str | None = None) -> bool:
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    check_version(followup, version, fields=["done_at"])
    if followup.done_at is None:
        return False
    followup.done_at = None
    followup.done_by = None
    followup.save(update_fields=["done_at", "done_by", "updated_at"])
    return True
