"""Writing demo rows fast, with the planned dates kept, and their history rows.

Shared by the apps' demo seeders (``seed_demo``). On PostgreSQL (psycopg2) rows go in with
COPY, the pks reserved from the table's sequence first; elsewhere (SQLite) with multi-row
INSERT … RETURNING. Either way no signal is sent, as with bulk_create, and the rows are the
same: the written values are exactly what the objects or dicts hold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ForeignKey, Model
from django.db.models.fields.files import FieldFile, FileField


def set_times(obj: Model, created: dt.datetime, updated: dt.datetime | None = None) -> None:
    """When a row was created and last changed (``create_rows`` writes them as they are)."""
    obj.created_at, obj.updated_at = created, updated or created


def create_rows(model: type[Model], objs: list, json_cache: dict | None = None) -> None:
    """bulk_create's fast path: multi-row INSERT … RETURNING pk, without its per-value overhead.

    Values are written as the objects hold them, so the planned created_at/updated_at stay
    (bulk_create's auto_now would stamp "now" and need an UPDATE after). The pks come back in
    insertion order, as bulk_create assumes too; like seed_demo, this needs RETURNING
    (PostgreSQL, SQLite ≥ 3.35).
    """
    # The parents' new pks, as Model._prepare_related_fields_for_save copies them (at a
    # fraction of its cost over a hundred thousand objects).
    relations = [(f.name, f.attname, f.target_field.attname) for f in model._meta.concrete_fields if f.is_relation]
    for obj in objs:
        cache = obj._state.fields_cache
        for name, attname, target in relations:
            parent = cache.get(name)
            if parent is not None and obj.__dict__.get(attname) is None:
                value = getattr(parent, target)
                if value is None:
                    raise ValueError(f"create_rows() prohibited to prevent data loss due to unsaved related {name}.")
                obj.__dict__[attname] = value
    preset = bool(objs) and objs[0].pk is not None  # pks from reserve_pks
    names = [f.attname for f in model._meta.concrete_fields if preset or not f.primary_key]
    rows = [{n: getattr(obj, n) for n in names} for obj in objs]
    pks = insert_rows(model, rows, returning=not preset, json_cache=json_cache)
    for obj, pk in zip(objs, [obj.pk for obj in objs] if preset else pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


@contextmanager
def foreign_keys_checked_once() -> Iterator[None]:
    """Inside the seeding transaction: on PostgreSQL, no foreign-key check per written row (each
    row a COPY writes queues one, run at COMMIT: 8 of a 76-second seed at 10,000 partners), then
    every foreign key checked once for all rows, one anti-join each, before the transaction
    commits. A dangling key raises CommandError, and nothing is written.

    Turning the checks off takes a superuser (``session_replication_role``); without the
    privilege, and on SQLite, the rows are checked as usual."""
    if connection.vendor != "postgresql":
        yield
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a refusal leaves the transaction usable
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        yield
        return
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
        for model, field in _constrained_foreign_keys():
            table, column = model._meta.db_table, field.column
            parent, target = field.related_model._meta.db_table, field.target_field.column
            quote = connection.ops.quote_name
            cursor.execute(
                f"SELECT c.{quote(column)} FROM {quote(table)} c "
                f"WHERE c.{quote(column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {quote(parent)} p WHERE p.{quote(target)} = c.{quote(column)}) LIMIT 1"
            )
            row = cursor.fetchone()
            if row is not None:
                raise CommandError(f"{table}.{column} = {row[0]} points at no row of {parent}: nothing was written.")


def _constrained_foreign_keys() -> list[tuple[type[Model], ForeignKey]]:
    """Every foreign key the database enforces (m2m tables' included)."""
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, ForeignKey) and field.db_constraint
    ]


def analyze(*models: type[Model]) -> None:
    """Refresh the planner's statistics on PostgreSQL (of these tables; all without any), which
    does not wait for autovacuum (or has none): queries over just-seeded tables plan well."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in models))


def reserve_pks(model: type[Model], count: int) -> list[int]:
    """``count`` new pks of ``model``, ascending, for rows whose other values need their pk
    (a case's reference); write them with ``create_rows``. Inside the seeding transaction."""
    if not count:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return sorted(pk for (pk,) in cursor.fetchall())
        # SQLite AUTOINCREMENT: after the highest pk ever given (sqlite_sequence), not the highest left.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
        start = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
    return list(range(start + 1, start + 1 + count))


def insert_rows(
    model: type[Model], rows: list[dict], *, returning: bool = False, json_cache: dict | None = None
) -> list:
    """INSERT rows (attname → value, the same keys in each), many rows per statement; with
    ``returning`` the new pks, in order.

    Several times faster than bulk_create, which prepares every value through its field and
    a model instance per row: here only dates, decimals and JSON go through their field (ints,
    text, booleans and None are passed as they are), each distinct value once. Multi-row
    statements, not executemany: psycopg2 sends one round trip per executemany row.
    """
    if not rows:
        return []
    if _can_copy():
        return copy_rows(model, rows, returning=returning, json_cache=json_cache)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    converters = []
    for name in names:
        f = fields[name]
        if f.get_internal_type() in PLAIN_TYPES:
            converters.append(None)
        elif f.get_internal_type() == "JSONField":
            converters.append(_json(f, {} if json_cache is None else json_cache))
        elif f.get_internal_type() == "FileField":
            converters.append(_file_name)
        else:
            converters.append(_memo(f))
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(fields[n].column) for n in names)}) VALUES "
    one = f"({', '.join(['%s'] * len(names))})"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    per_statement = min(500, (connection.features.max_query_params or 10_000) // len(names))
    pks = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            chunk = rows[i : i + per_statement]
            params = [
                row[n] if c is None else c(row[n]) for row in chunk for c, n in zip(converters, names, strict=True)
            ]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                pks += [pk for (pk,) in cursor.fetchall()]
    return pks


def _can_copy() -> bool:
    """PostgreSQL through psycopg2 (its ``copy_expert``); psycopg 3 takes the INSERT path."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return type(connection.connection).__module__.startswith("psycopg2")


COPY_READ = 1 << 16  # characters of COPY text made per read: all that is held in memory at once


def copy_rows(model: type[Model], rows: list[dict], *, returning: bool = False, json_cache: dict | None = None) -> list:
    """PostgreSQL COPY of ``rows`` (attname → value); with ``returning`` the pks, reserved
    from the table's sequence in ascending order (so in insertion order, like INSERT … RETURNING).

    One COPY statement, its text made as the server reads it (``CopyStream``): memory holds
    the rows, never their whole text."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    pk = model._meta.pk
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        pks = []
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(rows)],
            )
            pks = sorted(pk_ for (pk_,) in cursor.fetchall())
        formats = [(_copy_column(fields[n], json_cache), n) for n in names]
        columns = [pk.column] * returning + [fields[n].column for n in names]
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"

        def text():
            """The COPY text, COPY_ROWS rows at a time, made column by column (the same
            conversion over a column's values: a loop of its own, no call per value)."""
            for i in range(0, len(rows), COPY_ROWS):
                chunk = rows[i : i + COPY_ROWS]
                values = [convert([row[n] for row in chunk]) for convert, n in formats]
                if returning:
                    values.insert(0, [str(pk_) for pk_ in pks[i : i + COPY_ROWS]])
                yield "\n".join(map("\t".join, zip(*values, strict=True))) + "\n"

        cursor.cursor.copy_expert(sql, CopyStream(text()), size=COPY_READ)
    return pks


COPY_ROWS = 2000  # rows whose COPY text is made at a time


def _copy_column(f, json_cache: dict | None):
    """A function of a column's values (a list) → their COPY texts; ``_copy_format`` a value at a time."""
    kind = f.get_internal_type()
    if kind in NUMBER_TYPES:
        return lambda values: ["\\N" if v is None else str(v) for v in values]
    if kind in ("DateTimeField", "DateField"):
        return lambda values: ["\\N" if v is None else v.isoformat() for v in values]
    if kind in PLAIN_TYPES and kind != "BooleanField":
        return lambda values: ["\\N" if v is None else _escape(str(v)) for v in values]
    one = _copy_format(f, json_cache)
    return lambda values: list(map(one, values))


class CopyStream:
    """A file for psycopg2's ``copy_expert`` that makes its text from ``lines`` as it is read."""

    def __init__(self, lines) -> None:
        self.lines = iter(lines)

    def read(self, size: int = -1) -> str:
        out, n = [], 0
        for line in self.lines:
            out.append(line)
            n += len(line)
            if n >= size > 0:
                break
        return "".join(out)


def _escape(text: str) -> str:
    """Text as COPY reads it: backslash, tab, newline and carriage return escaped.

    Chained ``replace`` rather than ``str.translate``, which maps character by character
    (slow on long and non-ASCII text); a ``replace`` that finds nothing returns its input."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_format(f, json_cache: dict | None):
    """A function of one value → its COPY text (``\\N`` for None)."""
    kind = f.get_internal_type()
    if kind == "BooleanField":
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if kind == "JSONField":
        cache = {} if json_cache is None else json_cache

        def dump(value):
            if value is None:
                return "\\N"  # SQL NULL, as Django writes None
            key = ("copy", id(value))
            hit = cache.get(key)
            if hit is None or hit[0] is not value:
                hit = cache[key] = (value, _escape(json.dumps(value, cls=f.encoder, ensure_ascii=False)))
            return hit[1]

        return dump
    if kind == "FileField":
        return lambda v: _escape(_file_name(v))
    if kind in NUMBER_TYPES:
        return lambda v: "\\N" if v is None else str(v)
    if kind in ("DateTimeField", "DateField"):
        # Aware datetimes (as the seeders make them) and dates: ISO 8601, which COPY reads as is.
        return lambda v: "\\N" if v is None else v.isoformat()
    if kind in PLAIN_TYPES:
        return lambda v: "\\N" if v is None else _escape(str(v))
    memo = _memo(f)
    return lambda v: "\\N" if v is None else _escape(str(memo(v)))


# Values of these fields are written by COPY as str() gives them.
NUMBER_TYPES = {
    "AutoField", "BigAutoField", "BigIntegerField", "ForeignKey", "IntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "DecimalField",
}  # fmt: skip

# Values of these fields go to the database driver as they are.
PLAIN_TYPES = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip


def _json(f, cache: dict):
    """The field's preparation of a JSON value, once per object (``cache``: id → (value, prepared))."""

    def prepare(value):
        hit = cache.get(id(value))
        if hit is None or hit[0] is not value:
            hit = cache[id(value)] = (value, f.get_db_prep_save(value, connection))
        return hit[1]

    return prepare


def _plain(value):
    """History stores a file as its name (django-simple-history makes FileFields text)."""
    return (value.name or "") if isinstance(value, FieldFile) else value


def _file_name(value) -> str:
    """A FileField's stored value: the file's name ("" for none)."""
    return getattr(value, "name", value) or ""


def _memo(f):
    """The field's preparation of a value, None kept, each distinct value prepared once."""
    cache: dict = {None: None}

    def prepare(value):
        if value not in cache:
            cache[value] = f.get_db_prep_save(value, connection)
        return cache[value]

    return prepare


def insert_history(model: type[Model], objs: list, json_cache: dict | None = None, *, returning: bool = False) -> list:
    """Creation rows of django-simple-history, as ``bulk_history_create`` writes them, dated
    and signed with ``_history_date`` / ``_history_user`` (None: the scheduler); with
    ``returning`` their history ids, in the order of ``objs``."""
    values, files = _tracked(model)
    rows = []
    for obj in objs:
        row = {n: getattr(obj, n) for n in values}
        for n in files:
            row[n] = _plain(getattr(obj, n))
        row["history_date"] = obj._history_date
        row["history_user_id"] = getattr(obj._history_user, "pk", None)
        row["history_change_reason"], row["history_type"] = "", "+"
        rows.append(row)
    return insert_rows(model.history.model, rows, returning=returning, json_cache=json_cache)


def insert_history_rows(model: type[Model], rows: list[dict], stamps: list[tuple]) -> None:
    """Creation history rows of rows written from dicts (attname → value, with their pk), as
    ``insert_history`` writes them for objects; ``stamps``: (history_date, user id or None) each."""
    values, files = _tracked(model)
    history_rows = []
    for source, (when, user_id) in zip(rows, stamps, strict=True):
        row = {n: source[n] for n in values}
        for n in files:
            row[n] = _plain(source[n])
        row["history_date"], row["history_user_id"] = when, user_id
        row["history_change_reason"], row["history_type"] = "", "+"
        history_rows.append(row)
    insert_rows(model.history.model, history_rows)


def insert_history_select(model: type[Model], pks: list[int], *, date: str, user: str) -> None:
    """Creation history rows of the rows ``pks`` (ascending, just written), copied by the
    database from the rows themselves: INSERT … SELECT, so their values are not sent again nor
    parsed again (a JSON column costs more to parse than to copy). ``date`` and ``user``: SQL
    expressions over the row's columns for ``history_date`` and ``history_user_id``.

    History ids follow the rows' pks, as ``insert_history_rows`` gives them in the rows' order."""
    if not pks:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model.history.model.tracked_fields)
    pk = quote(model._meta.pk.column)
    sql = (
        f"INSERT INTO {quote(model.history.model._meta.db_table)} ({columns}, history_date, history_user_id, "
        f"history_change_reason, history_type) SELECT {columns}, {date}, {user}, %s, %s "
        f"FROM {quote(model._meta.db_table)} WHERE {pk} BETWEEN %s AND %s ORDER BY {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["", "+", pks[0], pks[-1]])
        if cursor.rowcount != len(pks):  # another writer's rows among these pks
            raise RuntimeError(f"{model._meta.db_table}: {cursor.rowcount} rows between pks {pks[0]} and {pks[-1]}")


def defaults(model: type[Model]) -> dict:
    """A row of ``model`` as a new instance holds it before any value is given (attname →
    default, the pk left out): the start of a row written from a dict."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def _tracked(model: type[Model]) -> tuple[list[str], list[str]]:
    """The attnames history copies: as they are, and the FileFields (stored as their name)."""
    tracked = model.history.model.tracked_fields
    return (
        [f.attname for f in tracked if not isinstance(f, FileField)],
        [f.attname for f in tracked if isinstance(f, FileField)],
    )
