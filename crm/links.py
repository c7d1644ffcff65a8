"""Absolute links for what leaves the site: e-mails (survey invitations, reminders, digests,
unsubscribe links) and the calendar feeds.

``RAPPORT_BASE_URL`` is where people reach this server. ``make run`` sets it from ``PORT``;
any other setup must set it: a production server (``DEBUG=False``) without it does not
start (system check ``crm.E004``), and a development one warns at every start (``crm.W004``)
and links to ``http://127.0.0.1:8000``.
"""

from __future__ import annotations

from django.conf import settings

DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """The scheme, host and port of the site, without a trailing slash."""
    return (settings.RAPPORT_BASE_URL or DEVELOPMENT_BASE_URL).rstrip("/")


def absolute(path: str) -> str:
    """``path`` (from ``reverse``) as a link that works outside the site."""
    return base_url() + path
