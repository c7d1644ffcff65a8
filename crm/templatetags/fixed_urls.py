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
from django.utils.autoreload import file_changed
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from crm.lists import url_pattern

register = template.Library()


@lru_cache(maxsize=1024)
def _reverse(viewname: str, args: tuple, urlconf: str, script_prefix: str, language: str | None) -> str:
    return reverse(viewname, urlconf=urlconf, args=args)


@register.simple_tag
def fixed_url(viewname: str, *args) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(viewname, args, urlconf, get_script_prefix(), get_language())


@lru_cache(maxsize=256)
def _main_menu(urlconf: str, script_prefix: str, language: str | None, flags: tuple[bool, bool, bool]) -> str:
    from django.template.loader import render_to_string

    supervisor, manager, superuser = flags
    return render_to_string(
        "includes/main_menu.html", {"supervisor": supervisor, "manager": manager, "superuser": superuser}
    )


@register.simple_tag(takes_context=True)
def main_menu(context) -> str:
    """The navigation bar's menus (``includes/main_menu.html``): the same for everyone with the
    same roles, so rendered once per URL configuration, script prefix, language and roles, not
    on every page (a millisecond of every page's rendering: 38 links and their labels)."""
    user = context["user"]
    roles = context["user_roles"]
    flags = (bool(roles["supervisor"]), bool(roles["manager"]), bool(user.is_superuser))
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return mark_safe(_main_menu(urlconf, get_script_prefix(), get_language(), flags))  # noqa: S308 - our template


def _forget_menus(sender, file_path, **kwargs) -> None:
    """runserver reloads an edited template without restarting: show the edit."""
    _main_menu.cache_clear()


file_changed.connect(_forget_menus, dispatch_uid="crm.fixed_urls.menus")


@register.filter
def url_with_id(pk, viewname: str) -> str:
    """``{{ row.partner_id|url_with_id:"evaluations:scorecard" }}``: ``{% url viewname pk %}`` for a
    view that takes one id, formatted from a pattern reversed once (``crm.lists.url_pattern``)
    instead of a ``reverse()`` per row."""
    return url_pattern(viewname).format(int(pk))
