"""One rule for the client's address (crm.public.client_address, RAPPORT_TRUSTED_PROXIES),
used by every rate limit and by the sign-in lockout: a forged X-Forwarded-For never buys
a client a fresh count. (The lockout's own cases are in test_login_security.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from evaluations.surveys.views import RATE_LIMIT_POSTS as SURVEY_POSTS
from partners.cases.views import FEEDBACK_POSTS_PER_ADDRESS
from partners.customers.views import RATE_LIMIT_POSTS as UNSUBSCRIBE_POSTS

# Every public page that counts POSTs per address, and how many it allows (it counts before
# it looks at the form or the token, so an empty POST counts).
RATE_LIMITED = [
    pytest.param("/feedback/", FEEDBACK_POSTS_PER_ADDRESS, id="complaint form"),
    pytest.param("/s/no-such-survey-link/", SURVEY_POSTS, id="survey link"),
    pytest.param("/u/no-such-unsubscribe-link/", UNSUBSCRIBE_POSTS, id="unsubscribe link"),
]
PROXY = "10.0.0.2"  # nginx, which appends the address it saw to X-Forwarded-For


@pytest.mark.parametrize(("url", "allowed"), RATE_LIMITED)
def test_a_forged_forwarded_for_does_not_dodge_a_rate_limit_without_a_proxy(client, db, settings, url, allowed):
    settings.RAPPORT_TRUSTED_PROXIES = 0
    codes = [
        client.post(url, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(allowed + 1)
    ]
    assert 429 not in codes[:allowed] and codes[allowed] == 429


@pytest.mark.parametrize(("url", "allowed"), RATE_LIMITED)
def test_a_forged_forwarded_for_does_not_dodge_a_rate_limit_behind_a_proxy(client, db, settings, url, allowed):
    settings.RAPPORT_TRUSTED_PROXIES = 1
    codes = [
        # The client writes anything it likes; nginx appends the address it really saw.
        client.post(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
        for n in range(allowed + 1)
    ]
    assert 429 not in codes[:allowed] and codes[allowed] == 429
    # Another client behind the same proxy has a count of its own.
    assert client.post(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code != 429


def test_only_the_kernel_reads_the_client_address_headers():
    """Views, services and middleware ask crm.public.client_address, never REMOTE_ADDR or
    X-Forwarded-For themselves; django-axes asks it too."""
    header = re.compile(r"""["'](REMOTE_ADDR|HTTP_X_FORWARDED_FOR|X-Forwarded-For)["']""", re.IGNORECASE)
    root = Path(django_settings.BASE_DIR)
    readers = {
        str(path.relative_to(root))
        for package in ("crm", "partners", "evaluations", "supervision")
        for path in (root / package).rglob("*.py")
        if header.search(path.read_text(encoding="utf-8"))
    }
    assert readers == {"crm/public.py"}
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "crm.public.login_client_address"
