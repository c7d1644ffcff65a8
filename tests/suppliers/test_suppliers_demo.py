"""The suppliers app's demo data (partners/suppliers/demo.py): qualification documents."""

from __future__ import annotations

from partners.models import Family
from partners.suppliers.models import QualificationDocument


def test_only_suppliers_get_qualification_documents_once(seed_demo):
    seed_demo()
    assert QualificationDocument.objects.exists()
    assert not QualificationDocument.objects.exclude(partner__family=Family.SUPPLIER).exists()
    before = QualificationDocument.objects.count()
    seed_demo()
    assert QualificationDocument.objects.count() == before
