"""Scorecard texts in the reader's language (issue #12 §6): template, criterion and anchor
texts and band labels show in Chinese to a reader in Chinese, in English otherwise."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from evaluations.models import Criterion, ScorecardTemplate, StandingBand
from tests.evaluations.factories import closed_eval, criteria_of, make_template, open_eval

ANCHORS_ZH = ["很差", "较弱", "一般", "良好", "优秀"]


def read_in(client, user, language: str) -> None:
    user.profile.language = language
    user.profile.save()
    client.force_login(user)
    client.cookies["django_language"] = language


def in_chinese(template: ScorecardTemplate) -> ScorecardTemplate:
    template.name_zh = "季度供应商评分卡"
    template.save()
    quality = criteria_of(template)["Quality"]
    quality.name_zh = "质量表现"
    quality.description_zh = "本期交付质量。"
    for level, text in enumerate(ANCHORS_ZH, start=1):
        setattr(quality, f"anchor_{level}_zh", text)
    quality.save()
    return template


@pytest.fixture
def template(db):
    return in_chinese(make_template())


def test_a_reader_in_chinese_scores_with_chinese_names_and_anchors(client, staff, supplier, template):
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    read_in(client, staff, "zh-hans")
    page = client.get(reverse("evaluations:sheet", args=[sheet.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "季度供应商评分卡" in page and "质量表现" in page and "本期交付质量。" in page
    assert "1 — 很差" in page and "5 — 优秀" in page
    assert ">Quality <" not in page and template.name not in page
    # Quality's English anchors are gone; Price has no Chinese texts: it keeps its English ones.
    assert page.count("1 — poor") == 1 and page.count("5 — excellent") == 1 and "Price" in page


def test_an_english_reader_scores_with_the_english_texts(client, staff, supplier, template):
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    read_in(client, staff, "en")
    page = client.get(reverse("evaluations:sheet", args=[sheet.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert template.name in page and "Quality" in page and page.count("1 — poor") == 2
    assert "质量表现" not in page and "很差" not in page and "季度供应商评分卡" not in page


def test_a_template_without_chinese_texts_falls_back_to_english(client, staff, supplier):
    template = make_template()
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    read_in(client, staff, "zh-hans")
    page = client.get(reverse("evaluations:sheet", args=[sheet.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert template.name in page and "Quality" in page and "1 — poor" in page


def test_the_evaluation_page_and_scorecard_show_the_live_chinese_texts(client, staff, manager, supplier, template):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    read_in(client, manager, "zh-hans")
    detail = client.get(
        reverse("evaluations:detail", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "季度供应商评分卡" in detail and "<td>质量表现</td>" in detail and "4/5 (良好)" in detail
    assert "<td>Quality</td>" not in detail
    # The score formula is read in Chinese too (the snapshot keeps the English one as data).
    assert "Σ 权重×得分 / Σ 权重（仅计有得分的评分项）" in detail and "over the criteria with a score" not in detail
    # Price has no Chinese name: the name frozen on close.
    assert "<td>Price</td>" in detail
    card = client.get(reverse("evaluations:scorecard", args=[supplier.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    card = card.content.decode()
    assert "季度供应商评分卡" in card and "<td>质量表现</td>" in card and "<td>Quality</td>" not in card

    # A criterion whose Chinese name was removed: the name stored on close.
    Criterion.objects.filter(pk=criteria_of(template)["Quality"].pk).update(name_zh="")
    detail = client.get(
        reverse("evaluations:detail", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "<td>Quality</td>" in detail

    read_in(client, manager, "en")
    detail = client.get(reverse("evaluations:detail", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Quality</td>" in detail and "4/5 (good)" in detail and "质量表现" not in detail
    assert "Σ weight·score / Σ weight over the criteria with a score" in detail


def test_the_overview_offers_templates_by_their_chinese_name(client, manager, template):
    read_in(client, manager, "zh-hans")
    page = client.get(reverse("evaluations:overview"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">季度供应商评分卡</option>" in page


@pytest.mark.django_db
def test_the_default_templates_have_chinese_texts():
    screening = ScorecardTemplate.objects.get(name="Supplier screening")
    assert screening.name_zh == "供应商筛选" and screening.description_zh
    names = dict(Criterion.objects.filter(template=screening).values_list("name", "name_zh"))
    assert names == {
        "Qualifications": "资质",
        "Reputation": "信誉",
        "Product quality": "产品质量",
        "Price": "价格",
        "Service level": "服务水平",
    }
    for criterion in Criterion.objects.filter(template__name__in=["Supplier screening", "Partner assessment"]):
        assert all(criterion.anchors_zh), criterion.name
        assert all(text.endswith("。") for text in criterion.anchors_zh), criterion.name
    delivery = Criterion.objects.get(template__name="Supplier periodic evaluation", name="Delivery")
    assert delivery.name_zh == "交付" and not any(delivery.anchors_zh)  # a KPI has no anchors
    labels = dict(StandingBand.objects.filter(template=screening).values_list("code", "label_zh"))
    assert labels == {"A": "优秀", "B": "良好", "C": "需改进", "D": "不合格"}
    with translation.override("zh-hans"):
        assert str(screening) == "供应商筛选"
        assert StandingBand.objects.get(template=screening, code="C").display_label == "需改进"
    with translation.override("en"):
        assert str(screening) == "Supplier screening"


@pytest.mark.django_db
def test_the_migration_fills_only_empty_chinese_texts():
    fill = importlib.import_module("evaluations.migrations.0007_scorecard_texts_zh").texts_in_chinese
    price = Criterion.objects.get(template__name="Supplier screening", name="Price")
    Criterion.objects.filter(pk=price.pk).update(name_zh="", anchor_3_zh="")
    quality = Criterion.objects.get(template__name="Supplier screening", name="Product quality")
    Criterion.objects.filter(pk=quality.pk).update(name_zh="质量（已改）")
    fill(apps, None)
    price.refresh_from_db()
    quality.refresh_from_db()
    assert price.name_zh == "价格" and price.anchor_3_zh == "与市场持平。"
    assert quality.name_zh == "质量（已改）"  # an admin's edit is kept
