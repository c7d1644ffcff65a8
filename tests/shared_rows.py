"""Rows built once for a whole test module instead of once per test.

``shared_rows`` opens a transaction around the module's fixture and rolls it back when the
module ends; pytest-django then runs each test in a savepoint inside it, so a test's own
writes are still undone after it, exactly as with a function-scoped fixture. For tests
that only read the shared rows through pks (the permission matrix's 1,000 requests): the
Python objects are shared, so a test must not change them in memory.
"""

from __future__ import annotations

import contextlib

from django.db import transaction


@contextlib.contextmanager
def shared_rows(django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
