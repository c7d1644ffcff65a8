"""The zh_Hans catalogue writes Chinese with full-width punctuation, and the public form uses the glossary.

A Chinese sentence ends with 。 not ".", a label is followed by ： not ":", and so on. ASCII
punctuation stays where it belongs: inside placeholders, HTML, URLs, e-mail addresses, numbers
such as 3.5 and wholly Latin text. Those are removed before looking, so only a stray ASCII
mark right next to a CJK character counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
CATALOGUES = [path for name in ("django.po", "djangojs.po") if (path := LC_MESSAGES / name).exists()]

# CJK ideographs (basic block and extension A) plus CJK compatibility ideographs.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAS_CJK = re.compile(f"[{CJK}]")
# What may legitimately carry ASCII punctuation; each is replaced by a neutral blank.
NOT_PROSE = [
    re.compile(r"\{\{.*?\}\}"),  # {{ variable }}
    re.compile(r"\{%.*?%\}"),  # {% tag %}
    re.compile(r"%\([^)]+\)[-#0+ ]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]"),  # %(name)s
    re.compile(r"%[-#0+]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]"),  # %s, %d, %.1f, %%
    re.compile(r"\{\w*\}"),  # {name} in str.format / campaign templates
    re.compile(r"<[^>]+>"),  # HTML tags and their attributes
    re.compile(r"(?:https?|mailto):\S+"),  # URLs
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\d+(?:[.:,]\d+)+"),  # 3.5, 10:30, 1,000, version numbers
]
ASCII_PUNCT = re.escape(".:;,?!")
# An ASCII mark directly before or after a CJK character (spaces between them do not excuse it).
STRAY = re.compile(f"[{CJK}] *[{ASCII_PUNCT}]|[{ASCII_PUNCT}] *[{CJK}]")
# ASCII parentheses around text that contains CJK: （…） is the Chinese form.
STRAY_PARENS = re.compile(f"\\([^()]*[{CJK}][^()]*\\)")


def _prose(text: str) -> str:
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [text for _, text in sorted(entry.msgstr_plural.items())]
    return [entry.msgstr]


def _entries():
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            yield path.name, entry


def _lookup(msgid: str) -> str:
    found = [entry.msgstr for _, entry in _entries() if entry.msgid == msgid and not entry.msgctxt]
    assert found, f"{msgid!r} is missing from the zh_Hans catalogue"
    return found[0]


def test_catalogues_found():
    assert CATALOGUES, f"no zh_Hans catalogue under {LC_MESSAGES}"


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("请输入日期.", True),
        ("注意: 已保存", True),
        ("价格, 交期", True),
        ("请选择(可选)", True),
        ("确定吗?", True),
        ("请输入日期。", False),
        ("评分 3.5 分", False),
        ("有效期至 %(date)s。", False),
        ("%(name)s: 已保存", True),
        ("%(name)s：已保存", False),
        ("Rapport：%(n)s 项", False),
        ("访问 https://example.com/a.b 查看", False),
        ("发送至 someone@example.com。", False),
        ("等等…", False),
        ("（N、N−1、…、1）", False),
        ('<a href="x.html">链接</a>。', False),
    ],
)
def test_the_check_itself(text, bad):
    prose = _prose(text)
    assert bool(STRAY.search(prose) or STRAY_PARENS.search(prose)) is bad


def test_chinese_msgstrs_use_full_width_punctuation():
    offending = []
    for name, entry in _entries():
        for text in _translations(entry):
            if not HAS_CJK.search(text):
                continue
            prose = _prose(text)
            hits = [m.group() for m in STRAY.finditer(prose)] + [m.group() for m in STRAY_PARENS.finditer(prose)]
            if hits:
                ctx = f"[{entry.msgctxt}] " if entry.msgctxt else ""
                offending.append(f"{name}: {ctx}{entry.msgid!r} -> {text!r} (at {hits})")
    assert not offending, "ASCII punctuation next to Chinese text; use 。：，；？！（）:\n" + "\n".join(offending)


def test_public_form_labels_follow_the_glossary(client, db):
    """A supplier filling in the public form is no 企业客户 (the customer type keeps that
    word), and on a complaint form "Details" is the description (详细说明), not 基本信息."""
    page = client.get("/feedback/?lang=zh-hans").content.decode()
    assert "单位名称" in page and "详细说明" in page
    assert "企业客户" not in page and "基本信息" not in page


def test_no_template_puts_an_ascii_colon_after_a_translated_label():
    """``{% translate "Owner" %}: `` reads 负责人: in Chinese; the separator is translated
    too (``{% translate ": " context "after a label" %}`` → ：)."""
    import re
    from pathlib import Path

    from django.conf import settings

    pattern = re.compile(r'\{% translate "[^"]*"(?: context "[^"]*")? %\}:')
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.*")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found
