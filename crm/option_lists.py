"""Option lists that are the same for every viewer: the owners, departments and tags of a list's
filter bar (issue #15 §3, "cache what is the same for every viewer").

A ``ModelChoiceField``'s options are read from the database on every page that shows the select:
a query each, and a model instance per option (a thousand colleagues in the owner select of every
partner list). Here each list is read once per change of the tables it reads, per process and
language, and kept as plain (value, label) pairs.

Which tables a list reads comes from its queryset (the model's table and every table it joins).
Each table has a version in the shared cache; a save, a delete or an m2m change of a row of a
watched table replaces it (at once and again at commit, so a request that read the old rows before
the commit cannot keep them), and every process re-reads a list whose versions changed. The tables
are watched in every process (web, Celery, management commands) because the apps that own the
models name them in their ``AppConfig.ready`` (``watch``); a list reading a table nobody watches
is read afresh on every page, never kept. Writes that send no signal (``QuerySet.update``,
``bulk_create``, raw SQL) are caught within ``MAX_AGE``.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

# Seconds a process keeps a list whatever the versions say: the bound on staleness after a
# write that sends no signal.
MAX_AGE = 300

_watched: set[str] = set()  # the db tables of the models named to ``watch``
_lists: dict[tuple, tuple[float, tuple[str, ...], list[tuple[str, str]]]] = {}


def _version_key(table: str) -> str:
    return f"rapport:table-version:{table}"


def _tables(queryset) -> tuple[str, ...]:
    query = queryset.query
    tables = {queryset.model._meta.db_table}
    tables.update(join.table_name for join in query.alias_map.values())
    return tuple(sorted(tables))


def _versions(tables: tuple[str, ...]) -> tuple[str, ...]:
    keys = [_version_key(t) for t in tables]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)  # another process may have set it meanwhile
            found[key] = cache.get(key)
    return tuple(str(found[key]) for key in keys)


def model_choices(owner: str, field) -> list[tuple[str, str]]:
    """The (value, label) pairs of ``field`` (a ``ModelChoiceField``), its empty choice first
    if it has one. ``owner`` names the field once in the whole project ("PartnerFilter.owner"):
    its queryset and labels must not depend on the request, only on the language."""
    key = (owner, get_language())
    tables = _tables(field.queryset)
    if not _watched.issuperset(tables):
        return [(str(value), str(label)) for value, label in field.choices]
    versions = _versions(tables)
    kept = _lists.get(key)
    if kept is not None and kept[1] == versions and time.monotonic() - kept[0] < MAX_AGE:
        return kept[2]
    choices = [(str(value), str(label)) for value, label in field.choices]
    _lists[key] = (time.monotonic(), versions, choices)
    return choices


def _remembered(key: tuple, versions: tuple[str, ...] | str, compute):
    found = _lists.get(key)
    if found is not None and found[1] == versions and time.monotonic() - found[0] < MAX_AGE:
        return found[2]
    value = compute()
    _lists[key] = (time.monotonic(), versions, value)
    return value


def kept(owner: str, queryset) -> list:
    """The rows of ``queryset`` (model instances), read once per change of the tables it reads
    and kept in this process, as ``model_choices`` keeps options: for the small lists that a page
    loops over itself (a filter bar's departments, the scorecards to choose from). ``owner`` names
    the list once in the whole project; the callers only read the rows' fields, never change them
    or cache on them."""
    tables = _tables(queryset)
    if not _watched.issuperset(tables):
        return list(queryset)
    return _remembered((owner, None), _versions(tables), lambda: list(queryset))


def computed(owner: str, models, compute):
    """What ``compute()`` returns from these models' rows, in the reader's language: computed
    once per change of their tables and kept in this process (``owner`` names it once in the
    whole project). For what a queryset's own tables do not tell (a subquery's)."""
    token = versions(*models)
    if token is None:
        return compute()
    return _remembered((owner, get_language()), token, compute)


def versions(*models) -> str | None:
    """A token that changes whenever a row of these models' tables is saved or deleted (a key
    part for whatever is computed from them and kept in the shared cache); None when one of
    them is not watched: then nothing may be kept."""
    tables = tuple(sorted({model._meta.db_table for model in models}))
    if not _watched.issuperset(tables):
        return None
    return hashlib.sha1(":".join(_versions(tables)).encode()).hexdigest()


def watch(*models) -> None:
    """Lists may read these models' tables (an m2m relation's ``through`` model for its table)."""
    _watched.update(model._meta.db_table for model in models)


def unwatched_tables(field) -> set[str]:
    """The tables ``field``'s options read that no app watches (for the test of every filter)."""
    return set(_tables(field.queryset)) - _watched


def _bump(table: str) -> None:
    cache.set(_version_key(table), uuid.uuid4().hex, None)


def _changed(sender, **kwargs) -> None:
    table = sender._meta.db_table
    if table in _watched:
        _bump(table)
        transaction.on_commit(lambda: _bump(table))


def connect() -> None:
    """Listen for changes of every model (called from ``CrmConfig.ready``); a table no list
    reads costs a set lookup."""
    post_save.connect(_changed, dispatch_uid="crm.option_lists.save")
    post_delete.connect(_changed, dispatch_uid="crm.option_lists.delete")
    m2m_changed.connect(_changed, dispatch_uid="crm.option_lists.m2m")


def forget() -> None:
    """Drop every kept list of this process (tests)."""
    _lists.clear()
