"""Substring search that an index serves on PostgreSQL for terms of any length (issue #15 §1).

The registry's and the case list's searches match "anywhere in the text, in any case":
Django's ``icontains``, which is ``UPPER(col::text) LIKE UPPER('%term%')`` on PostgreSQL (a
plain ``LIKE``, case-insensitive for ASCII letters, on SQLite). pg_trgm's GIN indexes serve it
for terms of three characters or more (partners 0012, cases 0010); a shorter term has no
trigram, and PostgreSQL scanned the table: most Chinese words are two characters (精密, 延迟).

``contains(field, term)`` is that same ``icontains``, plus, on PostgreSQL and for a term of two
characters (or one, not ASCII: ``served_by_grams``), ``rapport_grams(col::text) @>
ARRAY[UPPER(term)]``: the function of partners 0014 is the array of the one- and two-character
substrings of ``UPPER(col)``, and a GIN index on it (partners 0014, cases 0011) finds the rows
that hold the term's. The added condition never changes the result: if ``UPPER(col)`` contains
``UPPER(term)`` and that is one or two characters long, it is one of those substrings; the
``LIKE`` still decides. Both sides use ``UPPER``, as ``icontains`` does, under the same
collation (the database's, C.UTF-8), which maps each character to one character (libc's
``towupper``): a term of one or two characters stays one or two. On SQLite it is ``icontains``
alone.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.db.models.lookups import IContains


def served_by_grams(term: str) -> bool:
    """Does the gram index serve ``term``? Two characters, or one that is not ASCII.

    Longer terms have trigrams. A single ASCII letter, digit or sign is in most rows ('c' in
    most names, 'C' and '2' in every case reference): the index then finds nearly every row and
    a scan is as quick, but a scan that the planner chooses must then compute
    ``rapport_grams`` for each row the ``LIKE`` keeps (about 6 µs each), which made the case
    list's 'c' slower (25 to 43 ms at 10,000 cases). So such a term stays a plain ``icontains``,
    as before. A single Chinese character is rarer (a surname, 王, in 5% of contacts) and
    gains (鑫: 103 to 43 ms at 100,000 partners)."""
    return len(term) == 2 or (len(term) == 1 and not term.isascii())


class GramIContains(IContains):
    """``icontains``, with the gram index's condition added on PostgreSQL for a short term."""

    def as_postgresql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        if not (isinstance(self.rhs, str) and served_by_grams(self.rhs)):
            return sql, params
        # The trigram index of the column (partners 0012, cases 0010) serves this LIKE too, but a
        # term this short has no trigram: that index then returns every row for the LIKE to
        # check again, and the planner cannot tell. It chose it for the cases' submitter company
        # (empty on most cases): 10,000 rows rechecked for '延迟', 93 ms at 10,000 cases. The
        # same LIKE on ``(… || '')`` is out of that index's reach; the gram index finds the rows.
        left, like, right = sql.partition(" LIKE ")
        sql = f"({left} || ''){like}{right}"
        # The column as partners 0014's index expression has it: rapport_grams(col::text).
        column, column_params = compiler.compile(self.lhs)
        return (
            f"({sql} AND rapport_grams(({column})::text) @> ARRAY[UPPER(%s)])",
            (*params, *column_params, self.rhs),
        )


def contains(field: str, term: str) -> Q:
    """Rows whose ``field`` (a path, as in ``filter()``) contains ``term``, in any case: the
    same rows as ``Q(field__icontains=term)``, served by an index on PostgreSQL."""
    return Q(GramIContains(F(field), term))
