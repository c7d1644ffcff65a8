"""Writes of agreements (P4.3.2): the agreement, its documents, obligations and execution
reviews, renewal, and what the ``agreements`` scan does. Each service is one transaction:
all or nothing, history recorded.

An obligation of ours becomes its owner's follow-up (the registry's reminders chase it, and it
shows in "My follow-ups"); marking the obligation met closes the follow-up. A review's actions
are the kernel's corrective actions, raised with the review as their source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.concurrency import check_version
from crm.notifications import notify, object_ref, register_kind
from crm.services import corrective_action_raise
from crm.uploads import validate_upload
from partners.models import FollowUp, Partner
from partners.reminders import department_managers
from partners.services import followup_complete, followup_reopen

from .models import (
    CADENCE_MONTHS,
    FORM_STATUSES,
    IN_FORCE,
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementType,
    ExecutionReview,
    Obligation,
    ObligationStatus,
    Party,
    add_months,
)
from .selectors import can_manage_agreement, can_update_obligations, overlapping_agreements

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from crm.models import CorrectiveAction

AGREEMENT_FIELDS = (
    "title",
    "kind",
    "owner",
    "scope",
    "benefit_sharing",
    "starts_on",
    "ends_on",
    "notice_days",
    "review_cadence",
    "status",
)


def _check_terms(agreement: Agreement, partner_ids: Sequence[int]) -> None:
    """The term's end after its start; one agreement in force of a type per partner at a time."""
    errors: dict[str, list[str]] = {}
    if not partner_ids:
        errors["partners"] = [_("Choose at least one partner.")]
    if agreement.starts_on and agreement.ends_on and agreement.ends_on < agreement.starts_on:
        errors["ends_on"] = [_("The term cannot end before it starts.")]
    if agreement.status not in AgreementStatus.values:
        errors["status"] = [_("Choose a status.")]
    if not errors and agreement.status in IN_FORCE:
        clash = (
            overlapping_agreements(
                kind=agreement.kind,
                partner_ids=list(partner_ids),
                starts_on=agreement.starts_on,
                ends_on=agreement.ends_on,
                exclude_pk=agreement.pk,
            )
            .order_by("starts_on", "pk")
            .first()
        )
        if clash is not None:
            errors["starts_on"] = [
                _(
                    "“%(title)s” (%(type)s, %(start)s – %(end)s) is already active for this partner over these "
                    "dates: a partner has one active agreement of a type at a time. End or renew it first."
                )
                % {
                    "title": clash.title,
                    "type": clash.get_kind_display(),
                    "start": clash.starts_on.isoformat(),
                    "end": clash.ends_on.isoformat(),
                }
            ]
    if errors:
        raise ValidationError(errors, code="invalid")


def _schedule_first_review(agreement: Agreement) -> None:
    if agreement.in_force and agreement.next_review_on is None:
        agreement.next_review_on = agreement.first_review_on()


@transaction.atomic
def agreement_create(*, data: dict, partners: Sequence[Partner], by: User) -> Agreement:
    """A new agreement with ``partners``, managed by the first partner's department
    (its managers only, P4.3.2)."""
    partners = list(partners)
    if not partners:
        raise ValidationError({"partners": [_("Choose at least one partner.")]}, code="invalid")
    lead = partners[0]
    if not by.is_superuser and not can_manage_agreement(by, Agreement(department_id=lead.department_id)):
        raise PermissionDenied
    if lead.department_id is None:
        raise ValidationError(_("The partner has no department to manage the agreement."), code="no_department")
    # Lock the partners: two managers activating clashing agreements at once cannot both pass.
    list(Partner.objects.select_for_update().filter(pk__in=[p.pk for p in partners]).values_list("pk"))
    agreement = Agreement(department_id=lead.department_id, **{k: data[k] for k in AGREEMENT_FIELDS if k in data})
    if agreement.status not in FORM_STATUSES:
        agreement.status = AgreementStatus.DRAFT
    _check_terms(agreement, [p.pk for p in partners])
    _schedule_first_review(agreement)
    agreement._history_user = by
    agreement.save()
    agreement.partners.set(partners)
    return agreement


@transaction.atomic
def agreement_update(
    *, pk: int, changed: dict, partners: Sequence[Partner] | None = None, version: str | None = None, by: User
) -> Agreement:
    """Apply the ``changed`` fields (and the partners) to agreement ``pk``, reloaded under a
    lock (``StaleEdit`` if it moved since ``version``)."""
    agreement = Agreement.objects.select_for_update().get(pk=pk)
    if not can_manage_agreement(by, agreement):
        raise PermissionDenied
    check_version(agreement, version, fields=list(AGREEMENT_FIELDS))
    if "status" in changed and changed["status"] not in FORM_STATUSES:
        raise ValidationError({"status": [_("Choose draft or active.")]}, code="invalid")
    fields = [name for name in AGREEMENT_FIELDS if name in changed]
    for name in fields:
        setattr(agreement, name, changed[name])
    partner_ids = (
        [p.pk for p in partners] if partners is not None else list(agreement.partners.values_list("pk", flat=True))
    )
    list(Partner.objects.select_for_update().filter(pk__in=partner_ids).values_list("pk"))
    _check_terms(agreement, partner_ids)
    if "review_cadence" in changed or "starts_on" in changed:
        agreement.next_review_on = None
    _schedule_first_review(agreement)
    agreement._history_user = by
    agreement.save()
    if partners is not None:
        agreement.partners.set(partners)
    return agreement


@transaction.atomic
def agreement_renew(*, agreement: Agreement, ends_on: dt.date, by: User) -> Agreement:
    """A renewal: a new draft agreement with the same partners and terms, from the day after
    the old one ends to ``ends_on``, linked to the old one, which becomes "renewed"."""
    old = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not can_manage_agreement(by, old):
        raise PermissionDenied
    if old.status in (AgreementStatus.DRAFT, AgreementStatus.TERMINATED, AgreementStatus.RENEWED):
        raise ValidationError(_("Only an agreement that is or was in force can be renewed."), code="bad_status")
    if Agreement.objects.filter(renews=old).exists():
        raise ValidationError(_("This agreement was renewed already."), code="renewed")
    starts_on = old.ends_on + dt.timedelta(days=1)
    if ends_on is None or ends_on < starts_on:
        raise ValidationError(
            {"ends_on": [_("The renewal must end after it starts (%(date)s).") % {"date": starts_on}]}
        )
    new = Agreement(
        title=old.title,
        kind=old.kind,
        department_id=old.department_id,
        owner_id=old.owner_id,
        scope=old.scope,
        benefit_sharing=old.benefit_sharing,
        starts_on=starts_on,
        ends_on=ends_on,
        notice_days=old.notice_days,
        review_cadence=old.review_cadence,
        status=AgreementStatus.DRAFT,
        renews=old,
    )
    new._history_user = by
    new.save()
    new.partners.set(old.partners.all())
    old.status = AgreementStatus.RENEWED
    old._history_user = by
    old.save(update_fields=["status", "updated_at"])
    return new


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, by: User) -> Agreement:
    row = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not can_manage_agreement(by, row):
        raise PermissionDenied
    if row.status in (AgreementStatus.TERMINATED, AgreementStatus.RENEWED, AgreementStatus.EXPIRED):
        raise ValidationError(_("This agreement is no longer in force."), code="bad_status")
    row.status = AgreementStatus.TERMINATED
    row._history_user = by
    row.save(update_fields=["status", "updated_at"])
    return row


# --- Documents -------------------------------------------------------------------------------


@transaction.atomic
def document_add(*, agreement: Agreement, title: str, upload, by: User) -> AgreementDocument:
    """A document of the agreement, checked by crm/uploads.py (size, type, content)."""
    if not can_manage_agreement(by, agreement):
        raise PermissionDenied
    validate_upload(upload)
    document = AgreementDocument(agreement=agreement, title=title.strip()[:200], file=upload, uploaded_by=by)
    document._history_user = by
    document.save()
    return document


# --- Obligations -----------------------------------------------------------------------------


@transaction.atomic
def obligation_add(*, agreement: Agreement, data: dict, by: User) -> Obligation:
    """An obligation of the agreement. One of ours becomes its owner's follow-up, on the
    agreement's first partner (P3.3: nothing falls through)."""
    if not can_manage_agreement(by, agreement):
        raise PermissionDenied
    obligation = Obligation(
        agreement=agreement,
        party=data["party"],
        description=data["description"],
        due_on=data["due_on"],
        owner=data.get("owner"),
    )
    if obligation.party == Party.OURS:
        if obligation.owner is None:
            raise ValidationError({"owner": [_("Choose who of us delivers it.")]}, code="invalid")
        partner = agreement.partners.order_by("name", "pk").first()
        followup = FollowUp(
            partner=partner,
            description=_("%(obligation)s (agreement “%(title)s”)")
            % {"obligation": obligation.description, "title": agreement.title},
            owner=obligation.owner,
            due_on=obligation.due_on,
        )
        followup.description = followup.description[:300]
        followup._history_user = by
        followup.save()
        obligation.followup = followup
    obligation._history_user = by
    obligation.save()
    return obligation


@transaction.atomic
def obligation_set_status(*, obligation: Obligation, status: str, by: User) -> Obligation:
    """The department's staff record whether an obligation was met; its follow-up follows."""
    row = (
        Obligation.objects.select_for_update(of=("self",)).select_related("agreement", "followup").get(pk=obligation.pk)
    )
    if not can_update_obligations(by, row.agreement):
        raise PermissionDenied
    if status not in ObligationStatus.values:
        raise ValidationError(_("Choose a status."), code="invalid")
    if row.status == status:
        return row
    row.status = status
    row._history_user = by
    row.save(update_fields=["status", "updated_at"])
    if row.followup is not None:
        if status == ObligationStatus.OPEN:
            followup_reopen(followup=row.followup)
        else:
            followup_complete(followup=row.followup, user=by)
    return row


# --- Execution reviews -----------------------------------------------------------------------


@transaction.atomic
def review_record(*, agreement: Agreement, data: dict, actions: Sequence[dict] = (), by: User) -> ExecutionReview:
    """Record the execution review due on the agreement's ``next_review_on`` (P4.3.2): the
    rating, issues found, negotiated resolution, and corrective actions (each with owner and
    due date). The next review is one cadence later."""
    row = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not can_manage_agreement(by, row):
        raise PermissionDenied
    if row.status not in IN_FORCE or row.next_review_on is None:
        raise ValidationError(_("Only an agreement in force has execution reviews."), code="not_in_force")
    review = ExecutionReview(
        agreement=row,
        due_on=row.next_review_on,
        reviewed_on=data.get("reviewed_on") or timezone.localdate(),
        rating=data["rating"],
        issues=data.get("issues", ""),
        resolution=data.get("resolution", ""),
        reviewed_by=by,
    )
    review._history_user = by
    review.save()
    for action in actions:
        corrective_action_raise(
            source=review,
            description=action["description"],
            department=row.department,
            owner=action["owner"],
            due_on=action["due_on"],
            by=by,
        )
    row.next_review_on = add_months(row.next_review_on, CADENCE_MONTHS[row.review_cadence])
    row._history_user = by
    row.save(update_fields=["next_review_on", "updated_at"])
    return review


@transaction.atomic
def review_action_add(
    *, review: ExecutionReview, description: str, owner: User, due_on: dt.date, by: User
) -> CorrectiveAction:
    """A further corrective action from a recorded execution review (P4.3.2 "actions, which use
    the product's corrective-action concept"): a review may lead to several, each addressed to
    the agreement's department and owed by its owner. The department's managers add them."""
    agreement = Agreement.objects.select_for_update().get(pk=review.agreement_id)
    if not can_manage_agreement(by, agreement):
        raise PermissionDenied
    return corrective_action_raise(
        source=review,
        description=description,
        department=agreement.department,
        owner=owner,
        due_on=due_on,
        by=by,
    )


# --- What the scan does (each effect once: notifications are keyed) ----------------------------

REVIEW_DUE = register_kind(
    "agreement_review_due",
    gettext_noop("Execution review of “%(title)s” (%(type)s) is due on %(date)s"),
    choices={"type": AgreementType},
)
EXPIRY_NOTICE = register_kind(
    "agreement_expiry_notice",
    gettext_noop("“%(title)s” (%(type)s) ends on %(date)s: decide whether to renew it"),
    choices={"type": AgreementType},
)
EXPIRED = register_kind(
    "agreement_expired", gettext_noop("“%(title)s” (%(type)s) expired on %(date)s"), choices={"type": AgreementType}
)
OBLIGATION_DUE = register_kind(
    "agreement_obligation_due",
    gettext_noop("The partner's obligation under “%(title)s” is due on %(date)s: %(item)s"),
)


def _recipients(agreement: Agreement) -> set:
    return {u for u in (agreement.owner, *department_managers(agreement.department_id)) if u.is_active}


def _tell(agreement: Agreement, kind: str, *, period: str, params: dict, anchor: str = "") -> int:
    effects = 0
    for user in _recipients(agreement):
        effects += notify(
            recipient=user,
            kind=kind,
            obj_ref=object_ref(agreement),
            period=period,
            params={"title": agreement.title, "type": agreement.kind, **params},
            link=agreement.get_absolute_url() + anchor,
        )
    return effects


@transaction.atomic
def agreement_status_refresh(*, agreement_id: int, day: dt.date) -> int:
    """Move an agreement in force to "expiring" inside its notice period and to "expired"
    after its end, telling its owner and the department's managers once each (keyed by the
    end date: a changed end warns again)."""
    agreement = Agreement.objects.select_for_update().select_related("owner").filter(pk=agreement_id).first()
    if agreement is None or agreement.status not in IN_FORCE:
        return 0
    effects, before = 0, agreement.status
    if agreement.ends_on < day:
        agreement.status = AgreementStatus.EXPIRED
        effects += _tell(agreement, EXPIRED, period=agreement.ends_on.isoformat(), params={"date": agreement.ends_on})
    elif agreement.notice_on <= day:
        agreement.status = AgreementStatus.EXPIRING
        effects += _tell(
            agreement, EXPIRY_NOTICE, period=agreement.ends_on.isoformat(), params={"date": agreement.ends_on}
        )
    else:
        agreement.status = AgreementStatus.ACTIVE  # an extended term leaves the notice period
    if agreement.status != before:
        agreement.save(update_fields=["status", "updated_at"])
    return effects


@transaction.atomic
def agreement_review_remind(*, agreement_id: int) -> int:
    """The execution review due: its owner and the department's managers, once per due date."""
    agreement = Agreement.objects.select_related("owner").filter(pk=agreement_id).first()
    if agreement is None or agreement.status not in IN_FORCE or agreement.next_review_on is None:
        return 0
    return _tell(
        agreement,
        REVIEW_DUE,
        period=agreement.next_review_on.isoformat(),
        params={"date": agreement.next_review_on},
        anchor="#reviews",
    )


@transaction.atomic
def obligation_remind(*, obligation_id: int) -> int:
    """A partner's obligation due (ours are follow-ups, reminded by the registry): whoever
    chases it (else the agreement's owner), once per due date."""
    o = Obligation.objects.select_related("agreement", "agreement__owner", "owner").filter(pk=obligation_id).first()
    if o is None or o.status != ObligationStatus.OPEN or o.party != Party.THEIRS:
        return 0
    recipient = o.owner or o.agreement.owner
    if not recipient.is_active:
        return 0
    return int(
        notify(
            recipient=recipient,
            kind=OBLIGATION_DUE,
            obj_ref=object_ref(o),
            period=o.due_on.isoformat(),
            params={"title": o.agreement.title, "date": o.due_on, "item": o.description},
            link=o.agreement.get_absolute_url() + "#obligations",
        )
    )
