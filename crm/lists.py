"""The one mechanism behind every filtered list (issue #12 §3).

A list page has a filter form and a results block ``#list-results``. The form carries the
attributes of ``templates/includes/live_filter.html``: htmx asks ``request.path`` (never the
current URL, whose query would be sent again under the form's fields) for the results, and pushes
that request's URL, so the address bar is always the form's current fields; ``static/js/rapport.js``
leaves out the empty ones. The answer to that request is the results block alone, with the
page's export links rendered again from the same query and swapped out of band
(``templates/includes/list_fragment.html``), so an export is always of what the list shows."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

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


@cache
def _url_pattern(viewname: str, script_prefix: str) -> str:
    return reverse(viewname, args=[987654321]).replace("987654321", "{}")


def url_pattern(viewname: str) -> str:
    """The URL of ``viewname`` (which takes one id) with ``{}`` for the id: a list formats it
    per row instead of asking the URL resolver 50 times."""
    return _url_pattern(viewname, get_script_prefix())


class Row(dict):
    """A list row as plain values: read by key, the template engine's first and cheapest lookup
    (an object's attribute is found only after a failed ``row[name]``), or as an attribute."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _OpenEndedPage(Page):
    """A page past a capped list's counted rows: whether another follows was read with it."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows (issue #15): the count is
    ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``, which stops reading there, not a count of the
    whole filtered table on every page view. Past the cap the page says "more than cap", and
    "Next" goes on past the counted rows: such a page reads one id more than it shows, to know
    whether another follows (a search or a filter narrows a list that long; a search's pages
    end at its cap, see ``deferred``)."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        cap: int | None = None,
        values: tuple[str, ...] = (),
        deferred: bool = False,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap if cap is not None else settings.RAPPORT_LIST_COUNT_CAP
        self.values = values
        self.deferred = deferred

    @cached_property
    def count(self) -> int:
        if self.deferred and hasattr(self.object_list, "values_list"):
            return len(self._ids)
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def _ids(self) -> list:
        """``deferred``: the ids of the rows up to the cap + 1, in the list's order: the count
        and every page's ids from one read."""
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number):
        """Also a page past the counted rows of a capped list (not a search's): there the pages
        do not end at the count."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            open_ended = self.is_capped and not self.deferred and hasattr(self.object_list, "values_list")
            if not open_ended or int(number) < 1:
                raise
            return int(number)

    def page(self, number):
        """Past page 1, a "deferred join": the page's ids first, read from the sort's index alone
        (on PostgreSQL an index-only scan once vacuumed: page 200 skips 9,950 index entries, not
        9,950 rows joined to their owner and department), then those rows with what the page
        shows, by primary key. One more query; page 1 stays one query, unless ``deferred``: a
        search that tests row after row in the sort's order (``partners.selectors.
        partner_search``) reads the index alone for them, not each row it rejects (贸易 at
        100,000 partners: 35,000 index entries before the first match, 11 ms rather than 33),
        and once for the count and the page: the ids up to the cap, in order (``_ids``).

        With ``values`` (which must include "pk"), the page's rows are named tuples of those
        values rather than model instances: the count and the ids are still read from the
        queryset as given, so from the same indexes, with no join."""
        number = self.validate_number(number)
        if not hasattr(self.object_list, "values_list"):
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows_qs = self.object_list.values_list(*self.values, named=True) if self.values else self.object_list
        if bottom + self.per_page >= self.count and self.is_capped and not self.deferred:
            return self._open_ended_page(rows_qs, number, bottom)
        if number == 1 and not self.deferred:
            return self._get_page(rows_qs[bottom:top], number, self)
        if self.deferred:
            # The ids passed the list's filters: its rows are read by id alone, without testing
            # a search again (a UNION of 8,000 partners, for 13 ms).
            ids = self._ids[bottom:top]
            by_id = self.object_list.model._default_manager.filter(pk__in=ids).order_by()
            rows_qs = by_id.values_list(*self.values, named=True) if self.values else by_id
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
            rows_qs = rows_qs.order_by().filter(pk__in=ids)
        return self._get_page(_in_order(rows_qs, ids), number, self)

    def _open_ended_page(self, rows_qs, number: int, bottom: int) -> Page:
        """A page reaching past the counted rows: its ids and one more, then its rows by id. Past
        the end of the list, its last counted page."""
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1])
        if not ids:
            return self.page(self.num_pages)
        shown = ids[: self.per_page]
        rows = _in_order(rows_qs.order_by().filter(pk__in=shown), shown)
        return _OpenEndedPage(rows, number, self, has_next=len(ids) > self.per_page)


def _in_order(rows_qs, ids: list) -> list:
    """The rows of ``rows_qs`` (read by id, in no order) in the order of ``ids``; an id whose
    row went meanwhile is skipped."""
    rows = {row.pk: row for row in rows_qs}
    return [rows[pk] for pk in ids if pk in rows]


def list_page(
    request: HttpRequest,
    queryset,
    *,
    per_page: int | None = None,
    values: tuple[str, ...] = (),
    cap: int | None = None,
    deferred: bool = False,
):
    """The page of ``queryset`` the request asks for (``?page=``), counted up to ``cap``
    (default ``RAPPORT_LIST_COUNT_CAP``); its rows as named tuples of ``values`` when given,
    its ids read first also on page 1 when ``deferred`` (see ``CappedPaginator.page``)."""
    paginator = CappedPaginator(
        queryset, per_page or settings.RAPPORT_PAGE_SIZE, values=values, cap=cap, deferred=deferred
    )
    return paginator.get_page(request.GET.get("page"))


class PeekPage:
    """A page of ``per_page`` rows that knows whether another follows without counting them
    all: it reads one row more than it shows. For lists read newest first and paged with
    "older" and "newer" links (a partner's timeline), where a total is never shown; the same
    names as Django's ``Page`` for what such a template uses."""

    def __init__(self, queryset, number, per_page: int):
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        if not rows and self.number > 1:  # past the end: the first page, as get_page() does
            self.number, rows = 1, list(queryset[: per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
