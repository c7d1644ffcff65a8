"""The zh-Hans crawl's detector (tests/zh_leaks.py) can fail: it finds English that nobody
translated, and leaves alone what people typed and what is not UI text."""

from __future__ import annotations

from crm.models import Department
from tests.zh_leaks import UserData, client_in_chinese, english_on_page, user_data


def test_detector_catches_untranslated_text_but_not_a_partners_english_name(supplier, staff):
    """A real Chinese page of a partner named in English reads clean; the same page with a
    sentence nobody translated does not."""
    client = client_in_chinese(staff)
    html = client.get(supplier.get_absolute_url()).content.decode()
    assert "Acme Components" in html and "商务伙伴" in html
    data = user_data()
    assert english_on_page(html, data) == []
    leaked = html.replace("</main>", "<p>Save your changes before leaving.</p></main>")
    assert english_on_page(leaked, data) == ["Save your changes before leaving."]


def test_detector_reads_attributes_titles_and_options_and_skips_what_is_not_ui():
    data = UserData()
    data.add("Blue Ocean Retail")  # typed by a person
    html = """<html lang="zh-hans"><head><title>Partners · Rapport</title><style>.x{color:red}</style></head>
    <body><input placeholder="Search"><img alt="Logo"><a title="Edit" aria-label="Close">编辑</a>
    <select><option>Draft</option><option lang="en">English</option></select>
    <button data-confirm="Really delete?">删除</button><input type="submit" value="Save">
    <script>const label = "not UI";</script><textarea>Typed text</textarea><code translate="no">scan_name</code>
    <p>Blue Ocean Retail · CS-2026-00055 · 2026-03-01 14:30 · sales@blue.example · https://blue.example/x · 导出 CSV</p>
    </body></html>"""
    assert english_on_page(html, data) == [
        "[page title] Partners · Rapport",
        "[placeholder] Search",
        "[alt] Logo",
        "[title] Edit",
        "[aria-label] Close",
        "[option] Draft",
        "[data-confirm] Really delete?",
        "[value] Save",
    ]


def test_system_data_with_a_chinese_twin_is_not_taken_for_user_data(db):
    """A department's English name is system data: in Chinese its Chinese name shows."""
    department = Department.objects.get(code="procurement")
    assert department.name_zh
    data, twins = user_data(), user_data(twins=True)
    page = f"<p>{department.name}</p>"
    assert english_on_page(page, data) == [department.name]
    assert english_on_page(page, data, twins) == []  # the admin, which edits both languages
