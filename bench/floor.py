"""The floor page (issue #15): a bare Django page, a signed-in 50-row Bootstrap table over
the partner table with one query of its own, beside which the bench prints every page.

No base layout, no context processors, no includes: what any Django page costs on this
machine and this database. Served only through bench/urls.py.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines

from partners.models import Partner

ROWS = 50


@cache
def _template():
    return engines["django"].from_string((Path(__file__).parent / "floor.html").read_text(encoding="utf-8"))


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    partners = Partner.objects.only(
        "pk", "name", "family", "kind", "status", "tier", "region", "last_contacted_at"
    ).order_by("pk")[:ROWS]
    return HttpResponse(_template().render({"partners": partners}))
