"""The one mechanism behind every filtered list (issue #12 §3).

A list page has a filter form and a results block ``#list-results``. The form carries the
attributes of ``templates/includes/live_filter.html``: htmx asks ``request.path`` (never the
current URL, whose query would be sent again under the form's fields) for the results, and pushes
that request's URL, so the address bar is always the form's current fields; ``static/js/rapport.js``
leaves out the empty ones. The answer to that request is the results block alone, with the
page's export links rendered again from the same query and swapped out of band
(``templates/includes/list_fragment.html``), so an export is always of what the list shows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

RESULTS_ID = "list-results"


def wants_list_results(request: HttpRequest) -> bool:
    """Is this the live filter's request for the results block (rather than a whole page)?"""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == RESULTS_ID and not htmx.history_restore_request


def render_list(request: HttpRequest, template: str, context: dict, *, results: str) -> HttpResponse:
    """The list page, or only its results block (``results``, the template the page includes
    inside ``#list-results``) and its export links when the live filter asks."""
    if wants_list_results(request):
        response = render(request, "includes/list_fragment.html", {**context, "results_template": results})
    else:
        response = render(request, template, context)
    # The same URL answers a page or a fragment: a cache must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
