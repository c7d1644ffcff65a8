"""A standing reads with its label in the reader's language (issue 12 §6: the band labels
were stored, in both languages, and shown nowhere)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations.models import StandingBand
from tests.evaluations.factories import closed_eval, make_template
from tests.evaluations.test_scorecard_texts_zh import read_in


@pytest.fixture
def evaluation(db, staff, manager, supplier):
    return closed_eval(supplier, make_template(), staff, manager, rating=5)


def shown_band(code: str) -> StandingBand:
    """The band whose label the pages use: the first periodic template's (the seeded one)."""
    return StandingBand.objects.filter(code=code, template__purpose="periodic").order_by("template_id").first()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_evaluation_scorecard_and_overview_name_the_standing(client, manager, supplier, evaluation, language):
    band = shown_band(evaluation.standing)
    assert band.label and band.label_zh
    label, other = (band.label, band.label_zh) if language == "en" else (band.label_zh, band.label)
    read_in(client, manager, language)
    pages = {
        "detail": reverse("evaluations:detail", args=[evaluation.pk]),
        "scorecard": reverse("evaluations:scorecard", args=[supplier.pk]),
        "overview": reverse("evaluations:overview"),
    }
    for name, url in pages.items():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'title="{label}">{evaluation.standing}</span>' in page, name
        assert other not in page, name
    detail = client.get(pages["detail"]).content.decode()
    assert f'<span class="standing-label fs-6 text-body-secondary">{label}</span>' in detail
    overview = client.get(pages["overview"]).content.decode()
    assert f">{evaluation.standing} · {label}</option>" in overview


def test_a_label_changed_in_the_admin_shows_at_once(client, manager, evaluation):
    read_in(client, manager, "en")
    url = reverse("evaluations:detail", args=[evaluation.pk])
    assert shown_band(evaluation.standing).label in client.get(url).content.decode()
    band = shown_band(evaluation.standing)
    band.label = "Preferred supplier"
    band.save()
    assert 'title="Preferred supplier"' in client.get(url).content.decode()
    band.delete()
    assert 'title="Preferred supplier"' not in client.get(url).content.decode()
