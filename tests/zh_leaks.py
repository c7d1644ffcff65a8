"""Find English UI text on a page rendered in Chinese (issue #12: the zh-Hans crawl).

``english_on_page(html, data)`` returns the snippets of a page that still read as English
once what people typed is set aside:

1. What a reader sees or hears: visible text, ``<title>``, ``<option>`` texts, the
   ``placeholder``/``title``/``aria-label``/``alt`` attributes, the texts scripts show
   (``data-confirm``, ``data-title``, ``data-*-label``) and the words on submit buttons.
   Never ``<script>``/``<style>``, nor an element marked as another language (``lang="en"``:
   the language switcher names English in English) or ``translate="no"``.
2. Minus user-entered data (``UserData``: every text value in the database except choice
   fields, whose labels are translated UI, and fields with a Chinese twin ``x_zh``, which
   must show in Chinese), numbers, dates, e-mail addresses, URLs and reference codes.
3. Any Latin word of two letters or more left over is English, unless ``ALLOWED`` names it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.test import Client

# Latin words that are not English in a Chinese page. Keep this short: a word belongs here
# only when Chinese UI really writes it in Latin letters.
ALLOWED = {
    "Rapport",  # the product's name, never translated
    "CSV",  # file formats on export links and buttons
    "PDF",
    "KPI",  # acronyms Chinese business writing keeps as is
    "ISO",  # ISO 9001 and friends (qualification types)
    "NPS",  # Net Promoter Score, a survey measure
    "CSAT",  # customer satisfaction score, a survey measure
    "CES",  # customer effort score, a survey measure
    "API",  # the profile's API tokens (API 令牌): Chinese technical writing keeps the acronym
    "Excel",  # a product: Chinese names the file kind "Excel" (导出 Excel)
    "Word",  # a product, as above (Word 文档)
    "Outlook",  # calendar apps named on the calendar feed page (Outlook、Google 日历、Apple 日历)
    "Google",
    "Apple",
    "Control",  # keyboard keys as printed on them, in Django's own Chinese help for choosing
    "Command",  # several items (按住 Control 键或 Mac 上的 Command 键来选择多项。)
    "Mac",
    # Currency codes (ISO 4217) of gift values, written as codes in Chinese too.
    "CNY",
    "USD",
    "EUR",
    "HKD",
    "JPY",
}

# Tags whose content is not UI text: scripts and styles, and a form's textarea, whose content
# is the value being edited (like an <input>'s value): in a form that edits both languages of
# system data, the English twin is rightly there.
HIDDEN_TAGS = {"script", "style", "textarea"}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
}  # fmt: skip
TEXT_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-confirm", "data-title"}
BUTTON_INPUTS = {"submit", "button", "reset"}

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LATIN_WORD_ANY = re.compile(r"[A-Za-z]+")
WHITESPACE = re.compile(r"\s+")
# Not words: e-mail addresses, URLs and paths, anything holding a digit (numbers, dates,
# times, reference codes such as CASE-2026-0007 or Q3), and #anchors.
NOT_WORDS = re.compile(
    r"\S+@\S+\.\S+"  # e-mail addresses
    r"|(?:https?|mailto|webcal)://\S+|(?<!\S)/[\w\-./?=&%#]*"  # URLs and site paths
    r"|[A-Za-z0-9_\-./:#]*\d[A-Za-z0-9_\-./:#]*"  # numbers, dates, times, codes
    r"|\{\w+\}"  # placeholders in texts people write: {name}, {company}
)


@dataclass
class Chunk:
    """One piece of text a reader meets: a text node, an attribute or a page title."""

    where: str  # "text", "page title", "option", or the attribute's name
    text: str


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[Chunk] = []
        # (tag, hides its content) for every open element.
        self.stack: list[tuple[str, bool]] = []

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        lang = attributes.get("lang", "").lower()
        # <html lang="zh-hans"> is the page; only a part marked as another language hides.
        foreign = tag != "html" and bool(lang) and not lang.startswith("zh")
        hides = tag in HIDDEN_TAGS or foreign or attributes.get("translate") == "no"
        if not self.hidden and not hides:
            # Django's admin writes its yes/no icons' alt as Python's True/False, which no
            # catalogue can translate (django/contrib/admin/templatetags/admin_list.py).
            if "/admin/img/icon-" in attributes.get("src", ""):
                attributes.pop("alt", None)
            for name, value in attributes.items():
                if name in TEXT_ATTRIBUTES or (name.startswith("data-") and name.endswith("-label")):
                    self._add(name, value)
            if tag == "input" and attributes.get("type", "").lower() in BUTTON_INPUTS:
                self._add("value", attributes.get("value", ""))
        if tag not in VOID_TAGS:
            self.stack.append((tag, hides))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        open_tags = {tag for tag, _hides in self.stack}
        where = "page title" if "title" in open_tags else "option" if "option" in open_tags else "text"
        self._add(where, data)

    def _add(self, where: str, text: str) -> None:
        text = WHITESPACE.sub(" ", text).strip()
        if LATIN_WORD.search(text):
            self.chunks.append(Chunk(where, text))


def page_chunks(html: str) -> list[Chunk]:
    """The pieces of text of a page that hold a Latin word."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return parser.chunks


@dataclass
class UserData:
    """Texts people typed, found anywhere on a page: matched whole, case-sensitively."""

    values: set[str] = field(default_factory=set)
    # Each value filed under its longest Latin word, so a page's words find the few values
    # that may occur in it.
    by_word: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, value: str) -> None:
        # A multi-line text shows line by line (linebreaks), each line its own text node.
        for line in [value, *value.splitlines()]:
            line = WHITESPACE.sub(" ", line).strip()
            words = LATIN_WORD_ANY.findall(line)
            if not words or line in self.values:
                continue
            self.values.add(line)
            self.by_word[max(words, key=len)].append(line)

    def remove_from(self, text: str) -> str:
        candidates = {v for word in set(LATIN_WORD_ANY.findall(text)) for v in self.by_word.get(word, ())}
        for value in sorted(candidates, key=len, reverse=True):
            if value in text:
                text = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", " ", text)
        # A long text cut short (truncatechars) ends with "…": its beginning is the value's.
        if "…" in text:
            text = " ".join(self._untruncated(piece) for piece in text.split("…"))
        return text

    def _untruncated(self, piece: str) -> str:
        words = LATIN_WORD_ANY.findall(piece)
        stripped = piece.strip()
        for word in set(words):
            for value in self.by_word.get(word, ()):
                if stripped and value.startswith(stripped):
                    return " "
        # Cut anywhere in the value: the piece's longest word may not be the value's.
        if stripped and any(value.startswith(stripped) for value in self.values if stripped[:8] in value):
            return " "
        return piece


def twinned(model: type[models.Model], name: str) -> bool:
    """A field in one language of two: ``x`` or ``x_en`` beside ``x_zh`` (and ``x_zh`` itself)."""
    names = {f.name for f in model._meta.get_fields()}
    base = name.removesuffix("_en")
    return f"{base}_zh" in names or name.endswith("_zh")


# Internal identifiers that no page shows as text: whitelisting them would hide a leak.
NOT_DATA = {"contenttypes", "sessions"}
# Text the system wrote, not a person, which pages must put in words of the reader's language:
# a notification's title (its wording in the recipient's language when it was made; pages
# render the kind's wording in the reader's) and codes kept in plain text fields.
SYSTEM_TEXT = {
    ("crm", "notification", "title"),
    ("crm", "notification", "kind"),
    ("supervision", "sample", "kind"),  # a key of supervision.sampling.KINDS
    ("cases", "case", "language"),  # language codes: pages name the language
    ("surveys", "surveyinvitation", "language"),
    ("surveys", "surveyresponse", "language"),
    ("customers", "campaignrecipient", "language"),
}


def user_data(*, twins: bool = False) -> UserData:
    """Every text value in the database that a person typed (or that names a person).

    ``twins``: instead, the English texts of the fields that have a Chinese twin. Django's
    admin edits both languages of system data, so they rightly show there, and only there.
    """
    data = UserData()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in NOT_DATA:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField) or f.choices:
                continue
            if twinned(model, f.name) != twins or f.name.endswith("_zh"):
                continue
            if (model._meta.app_label, model._meta.model_name, f.name) in SYSTEM_TEXT:
                continue
            for value in model._default_manager.values_list(f.attname, flat=True).distinct().iterator():
                if value:
                    data.add(str(value))
    return data


def english_in(text: str, *data: UserData) -> list[str]:
    """The English words of one piece of text, once user data and non-words are removed."""
    for each in data:
        text = each.remove_from(text)
    text = NOT_WORDS.sub(" ", text)
    return [word for word in LATIN_WORD.findall(text) if word not in ALLOWED]


def english_on_page(html: str, *data: UserData) -> list[str]:
    """Snippets of the page still in English: each a piece of text with its English words."""
    found = []
    for chunk in page_chunks(html):
        if english_in(chunk.text, *data):
            label = "" if chunk.where == "text" else f"[{chunk.where}] "
            found.append(f"{label}{chunk.text[:160]}")
    return found


def client_in_chinese(user: User | None) -> Client:
    client = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    if user is not None:
        # Signed in as a user whose interface language is Chinese (Preferences), as the
        # sign-in view leaves it: the profile and the language cookie.
        user.profile.language = "zh-hans"
        user.profile.save(update_fields=["language"])
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client
