"""The agreements app's demo data (partners/agreements/demo.py): every model, once."""

from __future__ import annotations

from partners.agreements.models import Agreement, AgreementDocument, ExecutionReview, Obligation


def test_demo_agreements_have_every_part_and_a_second_run_adds_nothing(seed_demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    counts = [m.objects.count() for m in (Agreement, AgreementDocument, ExecutionReview, Obligation)]
    assert all(counts), counts
    # Obligations of ours are their owners' follow-ups.
    assert not Obligation.objects.filter(party="ours", followup__isnull=True).exists()
    assert AgreementDocument.objects.first().file.open("rb").read(5) == b"%PDF-"
    seed_demo()
    assert [m.objects.count() for m in (Agreement, AgreementDocument, ExecutionReview, Obligation)] == counts
