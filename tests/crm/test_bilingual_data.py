"""Data a reader reads follows their language (issue #12 §6): department names."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from crm.bilingual import in_language
from crm.models import Department


def test_in_language_falls_back_to_english():
    assert in_language("Sales", "销售部", "zh-hans") == "销售部"
    assert in_language("Sales", "", "zh-hans") == "Sales"
    assert in_language("Sales", "销售部", "en") == "Sales"


@pytest.mark.django_db
def test_the_default_departments_have_chinese_names():
    names = dict(Department.objects.values_list("code", "name_zh"))
    assert names["procurement"] == "采购部" and names["general-office"] == "综合办公室"
    assert all(names[code] for code in names if code in {"sales", "quality", "finance", "rnd", "marketing"})
    with translation.override("zh-hans"):
        assert str(Department.objects.get(code="sales")) == "销售部"
    with translation.override("en"):
        assert str(Department.objects.get(code="sales")) == "Sales"


@pytest.mark.django_db
def test_pages_show_the_department_in_the_readers_language(client, staff, supplier):
    staff.profile.language = "zh-hans"
    staff.profile.save()
    client.force_login(staff)
    client.cookies["django_language"] = "zh-hans"
    detail = client.get(supplier.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    listing = client.get(reverse("partners:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    chinese = supplier.department.name_zh
    assert chinese and chinese in detail and chinese in listing
    assert f">{supplier.department.name}<" not in detail
    # The filter's options too.
    assert f">{chinese}</option>" in listing
    client.cookies["django_language"] = "en"
    staff.profile.language = "en"
    staff.profile.save()
    english = client.get(supplier.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert supplier.department.name in english and chinese not in english


def test_language_codes_are_shown_by_name_in_the_readers_language():
    from crm.templatetags.people import language_name

    with translation.override("en"):
        assert language_name("zh-hans") == "Simplified Chinese" and language_name("en") == "English"
    with translation.override("zh-hans"):
        assert language_name("zh-hans") == "简体中文" and language_name("en") == "英语"
    assert language_name("xx") == "xx"
