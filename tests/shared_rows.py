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
from django.test import override_settings

# What every test runs under (tests/conftest.py's autouse fixtures), also for a module's
# shared rows, which those function-scoped fixtures do not reach.
TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CELERY_TASK_ALWAYS_EAGER": True,
    "LANGUAGE_CODE": "en",
    "RAPPORT_BASE_URL": "http://127.0.0.1:8000",  # what `make run` sets on its default port
    # The configured cache (files under var/cache, or Redis) is shared with a running site.
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rapport-tests"}},
}


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


@contextlib.contextmanager
def module_rows(django_db_blocker, media_root):
    """``shared_rows`` under the tests' settings, files under ``media_root``."""
    with override_settings(MEDIA_ROOT=media_root, **TEST_SETTINGS), shared_rows(django_db_blocker):
        yield
