"""A campaign's recipients show their language by name in the reader's language (issue #12
§6): "简体中文" on the Chinese page, never Django's English name nor the code. The page loads
``i18n``, whose own ``language_name`` filter once replaced ours and printed "Simplified
Chinese" to Chinese readers (found by the §6 browser journey)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from partners.customers.models import Campaign
from partners.customers.services import campaign_send
from tests.factories import ContactFactory, PartnerFactory, department


@pytest.fixture
def sent_campaign(manager_sales, staff_sales):
    customer = PartnerFactory(family="customer", owner=staff_sales, department=department("sales"))
    contacts = [
        ContactFactory(partner=customer, name="王芳", marketing_consent=True, preferred_language="zh-hans"),
        ContactFactory(partner=customer, name="Alice", marketing_consent=True, preferred_language="en"),
    ]
    campaign = Campaign.objects.create(
        name="Autumn news",
        subject_en="News",
        body_en="News",
        subject_zh="新品",
        body_zh="新品",
        created_by=manager_sales,
    )
    campaign_send(campaign=campaign, user=manager_sales, contacts=contacts)
    return campaign


@pytest.mark.parametrize(
    ("language", "names"), [("zh-hans", ["简体中文", "英语"]), ("en", ["Simplified Chinese", "English"])]
)
def test_the_recipients_language_reads_in_the_readers_language(client, manager_sales, sent_campaign, language, names):
    client.force_login(manager_sales)
    client.cookies["django_language"] = language
    page = client.get(reverse("customers:campaign_detail", args=[sent_campaign.pk])).content.decode()
    table = re.search(r'id="recipients">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert names[0] in cells and names[1] in cells
    assert "zh-hans" not in cells


def test_the_filter_survives_loading_i18n():
    with translation.override("zh-hans"):
        assert Template("{% load i18n %}{{ c|language_label }}").render(Context({"c": "zh-hans"})) == "简体中文"
