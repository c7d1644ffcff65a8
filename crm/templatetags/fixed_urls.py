"""``{% fixed_url 'partners:list' %}``: ``{% url %}`` for a link whose target is the same on
every page (the navigation bar's 38 links), reversed once per URL configuration, script
prefix and language rather than on every request: ``reverse()`` costs some 15 µs, and the
bar's links were half of ``base.html``'s rendering time. Arguments, if any, are part of the
key: use it only with constant ones (``{% fixed_url 'partners:family_list' 'supplier' %}``)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=1024)
def _reverse(viewname: str, args: tuple, urlconf: str, script_prefix: str, language: str | None) -> str:
    return reverse(viewname, urlconf=urlconf, args=args)


@register.simple_tag
def fixed_url(viewname: str, *args) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(viewname, args, urlconf, get_script_prefix(), get_language())
