"""The zh_Hans catalogue: complete, compiled, covering the source, and actually used by the pages.

Every UI string ships in English and Simplified Chinese (see docs and /GLOSSARY for the
policy's own words). These tests fail when someone adds a string without translating it,
forgets `make messages` (compile), breaks a placeholder, or when the language switch stops
working.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from partners.models import Partner

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LC_MESSAGES = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PROJECT_ROOT = Path(settings.BASE_DIR)

# Python %-placeholders: %(name)s, %d, %s, %.2f, %% ... (no space flag, so "50% off" is no placeholder).
PLACEHOLDER_RE = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0+]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")

GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")

# What `make messages` extracts: (domain, extra --ignore patterns); see the Makefile.
MAKEMESSAGES_RUNS = [
    ("django", [".venv", "var", "tests"]),
    ("djangojs", [".venv", "var", "static/vendor"]),
]
# Never copied into the scratch project: environments, data, VCS, caches, the catalogue itself.
COPY_IGNORE = shutil.ignore_patterns(
    ".venv",
    "venv",
    "var",
    ".git",
    "locale",
    "tests",
    "node_modules",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    "test-results",
    ".env",
)

ZH_REQUIRED = "这个字段是必填项。"  # Django's own zh_Hans for "This field is required."


@pytest.fixture(autouse=True)
def _reset_language():
    """Requests activate zh-hans in this thread; do not leak it into other tests."""
    yield
    translation.deactivate()


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _key(entry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def _label(entry) -> str:
    ctx = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    where = ", ".join(f"{f}:{n}" for f, n in entry.occurrences[:3])
    return f"{ctx}{entry.msgid!r} ({where})" if where else f"{ctx}{entry.msgid!r}"


def _translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(text: str) -> tuple[set[str], list[str]]:
    """Named placeholders (order free) and positional ones (order matters)."""
    named, positional = set(), []
    for m in PLACEHOLDER_RE.finditer(text):
        if m.group("name") is not None:
            named.add(m.group(0))
        else:
            positional.append(m.group(0))
    return named, positional


def _gettext_or_skip() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"GNU gettext is not installed (missing: {', '.join(missing)}): cannot check catalogue coverage"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}. CI must install gettext (.ci/run does: apt-get install gettext).")
    pytest.skip(f"{reason}. Install gettext (e.g. `apt-get install gettext`) to run this check locally.")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    assert PO_PATH.is_file(), f"missing catalogue {PO_PATH}: run `make messages`"
    return polib.pofile(str(PO_PATH))


# --- a. the catalogue itself --------------------------------------------------------------------


def test_catalogue_header_is_zh_hans(po):
    assert po.metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert po.metadata.get("Language-Team"), "set Language-Team in the .po header"
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


def test_every_entry_is_translated_and_not_fuzzy(po):
    entries = _entries(po)
    assert len(entries) > 100, "the catalogue looks truncated"
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy (check the translation, then drop the flag): {_label(entry)}")
        if not all(text.strip() for text in _translations(entry)):
            problems.append(f"untranslated: {_label(entry)}")
        if entry.msgid_plural and sorted(entry.msgstr_plural) != [0]:
            problems.append(f"zh has one plural form, fill msgstr[0] only: {_label(entry)}")
    assert not problems, "\n".join(problems)


def test_placeholders_match(po):
    problems = []
    for entry in _entries(po):
        # With nplurals=1, msgstr[0] serves every count: it must carry the plural's placeholders.
        source = entry.msgid_plural or entry.msgid
        want_named, want_positional = _placeholders(source)
        if entry.msgid_plural:
            want_named |= _placeholders(entry.msgid)[0]
        for text in _translations(entry):
            named, positional = _placeholders(text)
            if named != want_named or positional != want_positional:
                problems.append(
                    f"{_label(entry)}: msgid has {sorted(want_named) + want_positional}, "
                    f"msgstr {text!r} has {sorted(named) + positional}"
                )
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_placeholder_check_catches_mistakes():
    """The checker itself: a dropped, renamed or reordered placeholder is seen."""
    assert _placeholders("Hello, %(name)s") == ({"%(name)s"}, [])
    assert _placeholders("%(name)s，您好") == ({"%(name)s"}, [])
    assert _placeholders("%(nom)s") != _placeholders("%(name)s")
    assert _placeholders("At most %(max)d tags.")[0] == {"%(max)d"}
    assert _placeholders("%s of %d")[1] == ["%s", "%d"]
    assert _placeholders("50% off, 100%% sure")[1] == ["%%"]


def test_msgfmt_accepts_the_catalogue():
    """msgfmt --check validates formats and the header the same way compilemessages will."""
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("GNU gettext (msgfmt) is not installed in CI")
        pytest.skip("GNU gettext (msgfmt) is not installed")
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(PO_PATH)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- b. the committed .mo is the compiled .po ------------------------------------------------------


def test_committed_mo_matches_po(po):
    assert MO_PATH.is_file(), f"missing {MO_PATH}: run `make messages` (compilemessages) and commit the .mo"
    mo = polib.mofile(str(MO_PATH))

    def pairs(catalogue, *, skip_fuzzy: bool) -> dict:
        out = {}
        for entry in _entries(catalogue):
            if not entry.msgid or (skip_fuzzy and "fuzzy" in entry.flags):
                continue
            translations = tuple(_translations(entry))
            if all(translations):  # msgfmt leaves untranslated entries out
                out[_key(entry)] = translations
        return out

    in_po, in_mo = pairs(po, skip_fuzzy=True), pairs(mo, skip_fuzzy=False)
    stale = sorted(k[1] for k in in_po.keys() - in_mo.keys())
    extra = sorted(k[1] for k in in_mo.keys() - in_po.keys())
    changed = sorted(k[1] for k in in_po.keys() & in_mo.keys() if in_po[k] != in_mo[k])
    hint = "the .mo is out of date: run `make messages` (or manage.py compilemessages) and commit django.mo"
    assert not stale, f"{hint}; missing from the .mo: {stale}"
    assert not extra, f"{hint}; only in the .mo: {extra}"
    assert not changed, f"{hint}; translated differently: {changed}"
    assert mo.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


# --- c. the catalogue covers the current source ------------------------------------------------------


def _extract(domain: str, ignores: list[str], workdir: Path) -> polib.POFile | None:
    """Run makemessages on a scratch copy of the project; return the fresh catalogue (None: no strings)."""
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-d", domain, "--no-obsolete"]
    cmd += [f"--ignore={pattern}" for pattern in ignores]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"makemessages -d {domain} failed:\n{result.stdout}\n{result.stderr}"
    fresh = workdir / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
    return polib.pofile(str(fresh)) if fresh.is_file() else None


def test_catalogue_covers_current_source(tmp_path):
    _gettext_or_skip()
    workdir = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT, workdir, ignore=COPY_IGNORE, symlinks=True)
    problems = []
    for domain, ignores in MAKEMESSAGES_RUNS:
        fresh = _extract(domain, ignores, workdir)
        if fresh is None or not _entries(fresh):
            continue  # nothing to translate in this domain (e.g. no JavaScript strings yet)
        committed_path = LC_MESSAGES / f"{domain}.po"
        if not committed_path.is_file():
            problems.append(f"{domain}: source has {len(_entries(fresh))} strings but {committed_path} is missing")
            continue
        committed = {_key(e): e for e in _entries(polib.pofile(str(committed_path)))}
        for entry in _entries(fresh):
            have = committed.get(_key(entry))
            if have is None:
                problems.append(f"{domain}: not in the catalogue: {_label(entry)}")
            elif "fuzzy" in have.flags or not all(s.strip() for s in _translations(have)):
                problems.append(f"{domain}: not translated: {_label(entry)}")
    assert not problems, (
        "the zh_Hans catalogue does not cover the source; run `make messages`, translate, compile:\n"
        + "\n".join(problems)
    )


# --- d. pages in Chinese ---------------------------------------------------------------------------------


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_translations_load_at_runtime():
    assert _zh("My follow-ups") == "我的跟进事项"
    assert _zh("Supplier") == "供应商"
    with translation.override("zh-hans"):
        singular = "My partners not contacted for %(days)s day"
        plural = "My partners not contacted for %(days)s days"
        for n in (1, 30):
            assert translation.ngettext(singular, plural, n) % {"days": n} == f"我负责的超过 {n} 天未联系的商务伙伴"


def test_signed_in_user_switches_to_chinese(client, staff):
    client.force_login(staff)
    english = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en">' in english
    assert "My follow-ups" in english

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "我的跟进事项" in html  # "My follow-ups"
    assert "工作台" in html  # "Dashboard"
    assert "My follow-ups" not in html


def test_the_switch_is_saved_as_the_users_language_for_notifications_and_emails(client, staff):
    """The next sign-in, the notices and the e-mails follow the language last chosen."""
    from crm.notifications import user_language

    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    staff.profile.refresh_from_db()
    assert staff.profile.language == "zh-hans" and user_language(staff) == "zh-hans"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # not offered: ignored
    staff.profile.refresh_from_db()
    assert staff.profile.language == "zh-hans"
    client.logout()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # anonymous: cookie only
    staff.profile.refresh_from_db()
    assert staff.profile.language == "zh-hans"


def test_anonymous_browser_in_chinese_gets_chinese_login(client):
    page = client.get(reverse("login"), headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录 Rapport" in html  # "Sign in to Rapport"
    assert "商务关系维护" in html  # policy term: business relationship maintenance
    assert "Sign in to Rapport" not in html


def test_anonymous_browser_in_english_gets_english_login(client):
    html = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to Rapport" in html


# --- e. form errors in Chinese -----------------------------------------------------------------------------


def test_empty_partner_form_shows_chinese_errors(client, staff):
    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.post(reverse("partners:create", args=["supplier"]), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert ZH_REQUIRED in html
    assert "This field is required." not in html
    assert "名称" in html  # our own field label ("name")
    assert not Partner.objects.exists()


@pytest.mark.parametrize(("url", "label"), [("partners:list", "名称（降序）"), ("cases:case_list", "优先级（降序）")])
def test_descending_sort_options_follow_the_language(client, staff, url, label):
    # django-filter formats "X (descending)" once, at import: our OrderingFilter does it per request.
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert label in client.get(reverse(url)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "(descending)" in client.get(reverse(url)).content.decode()
