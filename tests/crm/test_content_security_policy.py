"""Content-Security-Policy (issue #10 §8): a strict policy on every response, and no page,
ours or the admin's, carries inline script, inline style or an inline event handler, which
the policy would block. Every page the permission matrix opens, as every role, and every
admin page the admin matrix opens is checked with ``tests.inline_code`` there; the browser
tests also fail on any violation in Chromium's console.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.inline_code import inline_code

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_detector_finds_each_kind_of_inline_code():
    html = (
        '<p style="color:red">x</p><form onsubmit="go()"></form><a href="javascript:alert(1)">a</a>'
        "<script>alert(1)</script><style>p{}</style>"
        '<script src="/static/js/rapport.js"></script><script type="application/json">{"a": 1}</script>'
    )
    assert len(inline_code(html)) == 5


def test_every_response_carries_the_strict_policy(client, staff):
    client.force_login(staff)
    for url in (reverse("dashboard"), reverse("partners:list"), "/no-such-page/", "/admin/login/"):
        directives = _directives(client.get(url))
        assert directives["default-src"] == ["'self'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["object-src"] == ["'none'"], url
        for kind in ("script-src", "style-src"):
            assert directives[kind] == ["'self'"], (url, kind)
        assert not any("unsafe" in value for values in directives.values() for value in values), url
    client.logout()
    assert _directives(client.get(reverse("login")))["script-src"] == ["'self'"]


def test_the_policy_is_in_settings_once():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert "'unsafe-inline'" not in directives["script-src"] + directives["style-src"]


def test_no_auth_admin_page_carries_inline_code(client, admin_user, staff):
    """The admin pages of users, groups and sign-in records, which the admin matrix leaves to
    their own tests; every other admin page is checked there."""
    from tests.test_admin_matrix import AUTH, KIND

    client.force_login(admin_user)
    found, checked = {}, 0
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        if KIND.get(".".join(info)) != AUTH:
            continue
        urls = [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
        if (obj := model._default_manager.order_by("pk").first()) is not None:
            urls += [
                reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
                reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
            ]
        for url in urls:
            response = client.get(url)
            checked += response.status_code == 200
            if response.status_code == 200 and (problems := inline_code(response.content.decode())):
                found[url] = problems
    assert checked >= 8 and not found, (checked, found)


def test_no_template_carries_inline_code():
    """Templates no crawl reaches (an error page, a rare branch) obey the rule too. E-mails are
    exempt: they are read in mail clients, which need inline styles and ignore the CSP."""
    attribute = re.compile(r"""\s(style|on[a-z]+)\s*=\s*["']""")
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "emails" in template.parts:
            continue
        text = template.read_text()
        if attribute.search(text) or re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert not offenders, offenders


@pytest.mark.parametrize("template", ["500.html", "403.html", "404.html"])
def test_error_pages_carry_no_inline_code(template):
    from django.template.loader import render_to_string

    assert inline_code(render_to_string(template)) == []
