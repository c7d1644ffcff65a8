"""Writes of the suppliers app: qualification documents and their expiry reminders (P4.1.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from crm.concurrency import check_version
from crm.notifications import notify, object_ref, register_kind
from partners.reminders import department_managers

from .models import QualificationDocument
from .selectors import qualification_is_expired

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def qualification_save(*, document: QualificationDocument) -> QualificationDocument:
    """Add a qualification document."""
    document.save()
    return document


QUALIFICATION_FIELDS = ("doc_type", "number", "issuer", "issued_on", "expires_on", "file")


@transaction.atomic
def qualification_update(
    *, pk: int, changed: dict, version: str | None = None, user: User | None = None
) -> QualificationDocument:
    """Apply the ``changed`` fields to document ``pk``, reloaded under a lock (``StaleEdit``
    if it moved since ``version``)."""
    document = QualificationDocument.objects.select_for_update(of=("self",)).select_related("partner").get(pk=pk)
    check_version(document, version, fields=list(QUALIFICATION_FIELDS))
    fields = [name for name in QUALIFICATION_FIELDS if name in changed]
    for name in fields:
        # save_form_data: a cleared file (False) becomes empty, an upload is stored on save.
        QualificationDocument._meta.get_field(name).save_form_data(document, changed[name])
    if fields:
        document.save(update_fields=[*fields, "updated_at"])
    return document


# The notice's wording, translated in each reader's language when shown (crm.notifications);
# the document type is stored as its code and shown by its label.
EXPIRES_ON = gettext_noop("%(doc)s of %(partner)s expires on %(date)s")
EXPIRED_ON = gettext_noop("%(doc)s of %(partner)s expired on %(date)s")
QUALIFICATION_EXPIRING = register_kind(
    "qualification_expiring",
    lambda params: EXPIRED_ON if params.get("expired") else EXPIRES_ON,
    choices={"doc": QualificationDocument.DocType},
)


@transaction.atomic
def qualification_remind(*, document_id: int) -> int:
    """A qualification expiring soon (or expired) → its supplier's owner and the department's
    managers, once per document and expiry date (a renewed document with a new date warns again)."""
    doc = QualificationDocument.objects.select_related("partner", "partner__owner").filter(pk=document_id).first()
    if doc is None or doc.expires_on is None:
        return 0
    expired = qualification_is_expired(doc, timezone.localdate())
    effects = 0
    for user in {doc.partner.owner, *department_managers(doc.partner.department_id)}:
        effects += notify(
            recipient=user,
            kind=QUALIFICATION_EXPIRING,
            obj_ref=object_ref(doc),
            period=doc.expires_on.isoformat(),
            params={"doc": doc.doc_type, "partner": doc.partner.name, "date": doc.expires_on, "expired": expired},
            link=doc.partner.get_absolute_url() + "#qualifications",
        )
    return effects
