"""Issue #12: the zh-Hans crawl finds no English UI text on any page, data included, for the
demo data.

Every demo login, its interface in Chinese, follows every link of the site from the
dashboard (GET only, a few URLs per route) and reads each page for English left over once
what people typed is set aside (tests/zh_leaks.py says how). System data (departments,
scorecard and survey texts, checklists, templates …) has a Chinese twin and must show it.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from evaluations.surveys.models import SurveyInvitation
from evaluations.surveys.services import invitation_token
from partners.customers.models import CampaignRecipient
from partners.customers.services import unsubscribe_token
from tests.zh_leaks import UserData, client_in_chinese, english_on_page, user_data

DEMO_SIZE = (20, 60)  # seeded once for the module (tests/conftest.py's demo_seeded)

ROLES = ("staff", "staff2", "manager", "supervisor", "admin")
PER_ROUTE = 2  # distinct URLs opened per route and role: a list and one more, a record and another
ADMIN_PER_ROUTE = 1  # Django's admin: its index, and one changelist and change page per model
# Never followed: they sign out, switch the language or write. Downloads (CSV, PDF, XLSX,
# iCalendar, uploaded files) are opened but not read: they are not HTML.
# The API's documentation page (Swagger UI, linked from the profile) is a developer tool in
# English, like the OpenAPI schema it renders (docs/api.md).
SKIP_ROUTES = {"logout", "set_language", "admin:logout", "admin:password_change", "admin:jsi18n", "api_docs"}
# In the admin: our models' lists and records. Not the forms to add, delete or set a
# password, nor the history, nor the pages of the apps we take as they come (Django's users,
# groups and permissions, django-axes' sign-in logs).
SKIP_ADMIN = ("/add/", "/delete/", "/history/", "/password/")
SKIP_ADMIN_APPS = ("/admin/auth/", "/admin/axes/")
EXPECTED = {200, 302}
# A survey link already answered (409) or expired (410) says so, in the reader's language.
EXPECTED_PUBLIC = EXPECTED | {409, 410}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        # Links, and the fragments htmx fetches with GET (a report's status, a list's next page).
        for href in (attributes.get("href") if tag == "a" else None, attributes.get("hx-get")):
            if href:
                self.hrefs.append(href)


def _same_site(href: str, base: str) -> str | None:
    """The path and query of a link into the site (None for another site, mailto: …)."""
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme in ("", "http") and parts.netloc in ("", "testserver") and parts.path:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def _links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [url for href in parser.hrefs if (url := _same_site(href, base))]


def _switches_language(url: str) -> bool:
    """A public page's link to itself in another language (``?lang=en``)."""
    lang = parse_qs(urlsplit(url).query).get("lang")
    return bool(lang) and lang != ["zh-hans"]


def _route(path: str) -> str | None:
    """The URL pattern a path resolves to (what caps the pages per route), None to skip it."""
    try:
        match = resolve(path)
    except Resolver404:
        return f"unresolved {path}"
    if match.view_name in SKIP_ROUTES:
        return None
    if path.startswith("/admin/") and (path.endswith(SKIP_ADMIN) or path.startswith(SKIP_ADMIN_APPS)):
        return None
    return match.route


def crawl(
    client: Client, data: UserData, twins: UserData, start: list[str], expected: set[int] = EXPECTED
) -> tuple[dict[str, list[str]], list[str], int]:
    """Spider from ``start``: ({url: English snippets}, [unexpected statuses], pages read).

    ``twins``: the English texts of bilingual system data, which only the admin shows."""
    leaks: dict[str, list[str]] = {}
    problems: list[str] = []
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    queue = deque(start)
    pages = 0
    while queue:
        url = queue.popleft()
        if url in seen or _switches_language(url):
            continue
        seen.add(url)
        path = urlsplit(url).path
        route = _route(path)
        if route is None:
            continue
        cap = ADMIN_PER_ROUTE if path.startswith("/admin/") else PER_ROUTE
        if per_route[route] >= cap:
            continue
        per_route[route] += 1
        response = client.get(url)
        if response.status_code not in expected:
            problems.append(f"{response.status_code} {url}")
        if response.status_code == 302:
            if target := _same_site(response["Location"], url):
                queue.append(target)
            continue
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        html = response.content.decode()
        found = english_on_page(html, data, twins) if path.startswith("/admin/") else english_on_page(html, data)
        if found:
            leaks[url] = found
        queue.extend(link for link in _links(html, url) if link not in seen)
    return leaks, problems, pages


def _report(findings: dict[str, dict[str, list[str]]], pages_shown: int = 4) -> str:
    """One entry per English snippet: the roles that met it and the pages it is on."""
    roles: dict[str, set[str]] = defaultdict(set)
    urls: dict[str, list[str]] = defaultdict(list)
    for role, leaks in findings.items():
        for url, snippets in leaks.items():
            for snippet in snippets:
                roles[snippet].add(role)
                if url not in urls[snippet]:
                    urls[snippet].append(url)
    lines = []
    for snippet in sorted(roles, key=lambda s: (-len(urls[s]), s)):
        shown = " ".join(urls[snippet][:pages_shown])
        more = f" and {len(urls[snippet]) - pages_shown} more" if len(urls[snippet]) > pages_shown else ""
        lines.append(f"  {snippet!r}\n      roles: {', '.join(sorted(roles[snippet]))}; pages: {shown}{more}")
    return "\n".join(lines)


def _public_pages() -> list[str]:
    """What a partner's contact opens without signing in, asked in Chinese: the sign-in page,
    the public feedback form, survey links (open, answered, expired) and a campaign's
    unsubscribe link."""
    urls = ["/accounts/login/", "/feedback/?lang=zh-hans"]
    now = timezone.now()
    invitations = SurveyInvitation.objects.order_by("pk")
    for invitation in (
        invitations.filter(responded_at=None, expires_at__gt=now).first(),  # open
        invitations.exclude(responded_at=None).first(),  # answered: 409
        invitations.filter(responded_at=None, expires_at__lte=now).first(),  # expired: 410
    ):
        if invitation:
            urls.append(reverse("surveys:respond", args=[invitation_token(invitation)]) + "?lang=zh-hans")
    recipient = CampaignRecipient.objects.order_by("pk").first()
    if recipient:
        urls.append(reverse("customers:unsubscribe", args=[unsubscribe_token(recipient)]) + "?lang=zh-hans")
    return urls


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_no_english_on_any_page(demo_seeded, role):
    """One test per role, so that the crawls share the two test processes."""
    data, twins = user_data(), user_data(twins=True)
    if role == "anonymous":
        client, start, expected = client_in_chinese(None), _public_pages(), EXPECTED_PUBLIC
    else:
        user = User.objects.select_related("profile").get(username=role)
        client, start, expected = client_in_chinese(user), ["/"], EXPECTED
    leaks, unexpected, pages = crawl(client, data, twins, start, expected)
    # The crawl really went round the site (a broken start page would find nothing to read).
    assert pages >= (5 if role == "anonymous" else 50), pages
    assert not unexpected, unexpected
    assert not leaks, "English on Chinese pages:\n" + _report({role: leaks})
