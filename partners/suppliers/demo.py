"""Demo data of the suppliers app, called by ``seed_demo``: one or two qualification documents
per supplier that has none, some expired and some expiring soon, so the reminders and the
scorecard's "expiring" list have something to show. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Exists, OuterRef
from django.utils import timezone

from crm.demo import EN, ZH, DemoOptions
from crm.demo_rows import create_rows, insert_history
from partners.demo_data import ISSUERS
from partners.models import Family, Partner

from .models import QualificationDocument

Doc = QualificationDocument.DocType
TYPES = [Doc.ISO9001, Doc.ISO14001, Doc.PRODUCTION_PERMIT, Doc.PRODUCT_CERT]


def _document(rng: random.Random, partner: Partner, doc_type: str, today: dt.date) -> QualificationDocument:
    lang = ZH if partner.preferred_language == ZH or not partner.name.isascii() else EN
    bucket = rng.random()
    if doc_type == Doc.BUSINESS_LICENSE and bucket < 0.4:
        expires = None  # licences are often valid indefinitely
    elif bucket < 0.15:
        expires = today - dt.timedelta(days=rng.randint(1, 365))  # expired
    elif bucket < 0.30:
        expires = today + dt.timedelta(days=rng.randint(0, 60))  # expiring soon
    else:
        expires = today + dt.timedelta(days=rng.randint(61, 1100))
    issued = (expires or today) - dt.timedelta(days=rng.randint(365, 3 * 365))
    if doc_type == Doc.BUSINESS_LICENSE:
        number = "91" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=16))
        issuer = "市场监督管理局" if lang == ZH else "Registry of Companies"
    elif doc_type == Doc.PRODUCTION_PERMIT:
        number = f"XK{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}"
        issuer = "省市场监督管理局" if lang == ZH else "Provincial regulator"
    else:
        number = f"{rng.choice(['CN', 'DE', 'US', 'SG'])}{rng.randint(10, 99)}/{rng.randint(10000, 99999)}"
        issuer = rng.choice(ISSUERS[lang])
    doc = QualificationDocument(
        partner=partner, doc_type=doc_type, number=number, issuer=issuer, issued_on=issued, expires_on=expires
    )
    # History as if the owner filed it when the supplier was registered.
    doc._history_date = partner.created_at
    doc._history_user = partner.owner
    return doc


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (partners/suppliers/apps.py)."""
    today = now.date()
    has_documents = QualificationDocument.objects.filter(partner=OuterRef("pk"))
    suppliers = (
        Partner.objects.filter(family=Family.SUPPLIER)
        .exclude(Exists(has_documents))
        .select_related("owner")
        .order_by("pk")
    )
    docs = []
    for partner in suppliers.iterator(chunk_size=2000):
        if partner.owner_id is None:
            continue
        chosen = ([Doc.BUSINESS_LICENSE] if rng.random() < 0.6 else []) + rng.sample(TYPES, 2)
        docs += [_document(rng, partner, doc_type, today) for doc_type in chosen[: rng.randint(1, 2)]]
    # What bulk_create and bulk_history_create would write, through COPY on PostgreSQL.
    stamp = timezone.now()
    for doc in docs:
        doc.created_at = doc.updated_at = stamp
    create_rows(QualificationDocument, docs)
    insert_history(QualificationDocument, docs)
    return {"qualifications": len(docs)}
