"""Issue #15: PostgreSQL connections run with the JIT off (it compiled each list search for
longer than the search ran); POSTGRES_JIT=True turns it back on. Read from the settings a
process gets for each DATABASE_URL, so it holds on any machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings
from django.db import connection

PRINT_OPTIONS = (
    "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def _options(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT_OPTIONS}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgres_connections_turn_the_jit_off_unless_asked():
    url = "postgres://rapport@db.example:5432/rapport"
    assert _options(DATABASE_URL=url)["options"] == "-c jit=off"
    assert _options(DATABASE_URL=url, POSTGRES_JIT="True")["options"] == "-c jit=on"
    assert "options" not in _options(DATABASE_URL="sqlite:////tmp/rapport-jit.sqlite3")


def test_the_suites_own_connection_has_it(db):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    else:
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
