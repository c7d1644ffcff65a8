"""Panels: what a page shows from apps it may not import.

A page of a lower app (the dashboard in the kernel, a case in ``partners.cases``) lists the
panels registered for it; a higher app registers one in its ``AppConfig.ready()`` with a
template and a function that returns the panel's context, or None to show nothing. The page
renders them in ``order``: ``{% for panel in panels %}{% include panel.template %}{% endfor %}``
with the panel's context as ``panel.context``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict


@dataclass(frozen=True)
class _Registration:
    order: int
    template: str
    build: Callable[..., dict | None]


_PANELS: dict[str, dict[str, _Registration]] = {}


def register_panel(page: str, *, template: str, context: Callable[..., dict | None], order: int = 100) -> None:
    _PANELS.setdefault(page, {})[template] = _Registration(order=order, template=template, build=context)


def panels_for(page: str, **kwargs) -> list[Panel]:
    """The panels of ``page`` that have something to show, in order; kwargs go to each builder."""
    shown = []
    for registration in sorted(_PANELS.get(page, {}).values(), key=lambda r: (r.order, r.template)):
        context = registration.build(**kwargs)
        if context is not None:
            shown.append(Panel(template=registration.template, context=context))
    return shown
