"""Issue #15: PostgreSQL connections run with the JIT off (it compiled each list search for
longer than the search ran), POSTGRES_JIT=True turns it back on; and with random reads priced
for memory and SSD (POSTGRES_RANDOM_PAGE_COST, 1.1). Read from the settings a process gets for
each DATABASE_URL, so it holds on any machine."""

from __future__ import annotations

import runpy

from django.conf import settings
from django.db import connection


def _options(monkeypatch, **env: str) -> dict:
    """The database OPTIONS crm/settings.py makes for this environment, read by running the
    settings file afresh (the loaded settings are the suite's own)."""
    with monkeypatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        for name in ("POSTGRES_JIT", "POSTGRES_RANDOM_PAGE_COST"):
            if name not in env:
                patch.delenv(name, raising=False)
        made = runpy.run_path(str(settings.BASE_DIR / "crm" / "settings.py"))
    return made["DATABASES"]["default"].get("OPTIONS", {})


def test_postgres_connections_turn_the_jit_off_unless_asked(monkeypatch):
    url = "postgres://rapport@db.example:5432/rapport"
    assert _options(monkeypatch, DATABASE_URL=url)["options"] == "-c jit=off -c random_page_cost=1.1"
    on = _options(monkeypatch, DATABASE_URL=url, POSTGRES_JIT="True", POSTGRES_RANDOM_PAGE_COST="4")
    assert on["options"] == "-c jit=on -c random_page_cost=4.0"
    assert "options" not in _options(monkeypatch, DATABASE_URL="sqlite:////tmp/rapport-jit.sqlite3")


def test_the_suites_own_connection_has_it(db):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone()[0] == "1.1"
    else:
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
