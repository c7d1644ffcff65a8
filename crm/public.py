"""Pieces of the pages anyone can open without signing in (survey links, the complaint
form, unsubscribe links): language choice, body size limit, per-address rate limits, and
the response headers such a page needs."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

# A public form or survey answer is a few kilobytes: anything larger is refused unread.
MAX_BODY_BYTES = 20 * 1024


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind RAPPORT_TRUSTED_PROXIES reverse proxies
    the address the outermost one saw (the N-th entry from the right of X-Forwarded-For,
    which that proxy appended). Anything left of it was written by the client and is never
    read; a header too short to hold N entries or not an address falls back to REMOTE_ADDR.
    Also django-axes' address for sign-in lockouts (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "") or "-"
    proxies = settings.RAPPORT_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def count_post(key: str, allowed: int, window: int) -> bool:
    """Count one POST under ``key`` in Django's cache; True when over ``allowed`` within
    ``window`` seconds (the counter expires with the window)."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > allowed


def body_too_large(request: HttpRequest, max_bytes: int) -> bool:
    """The declared body is over ``max_bytes`` (or unreadable): refuse before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_bytes


def public_language(request: HttpRequest, default: str) -> str:
    """``?lang=`` when it is one of ours, else ``default`` when it is, else the site's."""
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = request.GET.get("lang", "")
    return chosen if chosen in codes else (default if default in codes else settings.LANGUAGE_CODE)


def public_render(
    request: HttpRequest, template: str, language: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, {"language": language, **(context or {})}, status=status)
    response["Content-Language"] = language
    response["X-Robots-Tag"] = "noindex, nofollow"
    # A token may be in the URL: never send it to another site. (Not "no-referrer": browsers
    # then send "Origin: null" with the form, which fails the CSRF origin check.)
    response["Referrer-Policy"] = "same-origin"
    return response


def login_client_address(request: HttpRequest) -> str | None:
    """``client_address`` for django-axes, which stores it in an IP address column."""
    address = client_address(request)
    return None if address == "-" else address
