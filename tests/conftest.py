"""Role fixtures and shared settings for the suite."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from tests.factories import PartnerFactory, UserFactory, department, ensure_reference_data
from tests.fresh_migrator import FreshMigrator
from tests.shared_rows import TEST_SETTINGS, module_rows


@pytest.fixture(scope="session")
def django_db_use_migrations(request) -> bool:
    """How the test database is built. On SQLite (`make test`), from the models, then the
    data migrations' rows (tests.factories.ensure_reference_data): running the 90-odd
    migrations cost each test process half a minute. On PostgreSQL (CI's second run, the
    production path) by the migrations themselves. The migrations are tested either way:
    tests/crm/test_upgrade_migration.py runs all of them and finds the same reference rows,
    and the data-migration tests run theirs. `--migrations` / `--no-migrations` decide."""
    if request.config.getvalue("nomigrations"):
        return False
    if "--migrations" in request.config.invocation_params.args:
        return True
    return connection.vendor != "sqlite"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_use_migrations):
    if not django_db_use_migrations:
        with django_db_blocker.unblock():
            ensure_reference_data()


def _flushes_the_database(item: pytest.Item) -> bool:
    """A test on a transactional database: Django empties every table after it."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


def _restores_the_database(item: pytest.Item) -> bool:
    """A test with serialized_rollback: Django loads the database as built before it."""
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("serialized_rollback"))
        or "django_db_serialized_rollback" in getattr(item, "fixturenames", ())
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test, the rows the data migrations made are written again: the
    flush took them, and the next tests in this process need them (roles, templates …)."""
    yield
    # After the session's last test the test database is already gone (its session fixture
    # was torn down with that test): nothing comes next to need the rows.
    # A next test with serialized_rollback loads the database as it was built, these rows
    # included: written here too, they would clash with it (new ids, the same names).
    if nextitem is not None and _flushes_the_database(item) and not _restores_the_database(nextitem):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            ensure_reference_data()


@pytest.fixture
def migrator(db, tmp_path, settings):
    """Data-migration tests migrate an empty database of their own, forward only
    (tests/fresh_migrator.py); this overrides django-test-migrations' fixture."""
    settings.MIGRATION_MODULES = {}  # the migrations, whichever way the test database was built
    fresh = FreshMigrator(tmp_path)
    yield fresh
    fresh.close()


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Fast password hashing, files in a folder of the test's own, tasks run at once, and
    rate limits counted in a memory cache of the test's own, empty at each test."""
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def _demo_once(request, django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with module_rows(django_db_blocker, media):
        yield run_seed_demo(*getattr(request.module, "DEMO_SIZE", (20, 60))), media


@pytest.fixture
def demo_seeded(db, settings, _demo_once) -> str:
    """The demo, seeded once for the whole module at its ``DEMO_SIZE`` (partners,
    interactions); each test's own writes are undone after it. Returns what seed_demo printed."""
    output, settings.MEDIA_ROOT = _demo_once
    return output


@pytest.fixture
def staff(db):
    """Staff in Procurement."""
    return UserFactory(username="staff", role="Staff", dept="procurement")


@pytest.fixture
def staff_sales(db):
    return UserFactory(username="staff2", role="Staff", dept="sales")


@pytest.fixture
def manager(db):
    """Manager of Procurement."""
    return UserFactory(username="manager", role="Manager", dept="procurement")


@pytest.fixture
def manager_sales(db):
    return UserFactory(username="manager2", role="Manager", dept="sales")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor", role="Supervision", dept="general-office")


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="admin", dept=None)
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role."""
    return UserFactory(username="outsider", dept="sales")


@pytest.fixture
def supplier(staff):
    """A Procurement supplier owned by `staff`."""
    return PartnerFactory(name="Acme Components", owner=staff)


@pytest.fixture
def sales_customer(staff_sales):
    return PartnerFactory(
        name="Blue Ocean Retail", family="customer", owner=staff_sales, department=department("sales")
    )


@pytest.fixture
def seed_demo(db):
    """Run ``manage.py seed_demo`` with target totals; returns what it printed."""

    return run_seed_demo


def run_seed_demo(partners: int = 20, interactions: int = 60) -> str:
    out = StringIO()
    # pytest-django runs with DEBUG=False, which the command refuses without --force.
    call_command("seed_demo", "--partners", partners, "--interactions", interactions, "--force", stdout=out)
    return out.getvalue()


def login(client, user):
    client.force_login(user)
    return client
