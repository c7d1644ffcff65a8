"""The shared cache: by default files under var/cache (no server, shared by every process on
the machine), Redis with CACHE_URL; the public pages' rate limits count in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings as django_settings

from crm.public import count_post

SHOW_CACHE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.CACHES['default']))"
)
COUNT_ONE_POST = (
    "import django; django.setup(); from crm.public import count_post; "
    "print(count_post('feedback-post:198.51.100.7', 2, 600))"
)


def run(code: str, **env: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "CACHE_URL"}
    environment.update({"DJANGO_SETTINGS_MODULE": "crm.settings", **env})
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_default_cache_is_files_under_var():
    cache = json.loads(run(SHOW_CACHE))
    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert cache["LOCATION"] == str(django_settings.BASE_DIR / "var" / "cache")


def test_cache_url_selects_redis():
    cache = json.loads(run(SHOW_CACHE, CACHE_URL="redis://127.0.0.1:6379/12"))
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/12"


def test_each_database_has_its_own_keys_in_a_shared_cache():
    """What is kept in the cache was read from one database: a second Rapport on the same
    cache (a staging copy, a bench) keeps its own keys, unless CACHE_KEY_PREFIX says otherwise."""
    url = "redis://127.0.0.1:6379/12"
    one = json.loads(run(SHOW_CACHE, CACHE_URL=url, DATABASE_URL="sqlite:////tmp/one.sqlite3"))["KEY_PREFIX"]
    two = json.loads(run(SHOW_CACHE, CACHE_URL=url, DATABASE_URL="sqlite:////tmp/two.sqlite3"))["KEY_PREFIX"]
    assert one and two and one != two
    assert json.loads(run(SHOW_CACHE, CACHE_URL=url, CACHE_KEY_PREFIX="rapport"))["KEY_PREFIX"] == "rapport"


def test_rate_limit_counts_are_shared_between_processes(settings, tmp_path):
    prefix = json.loads(run(SHOW_CACHE, CACHE_URL=f"filecache://{tmp_path}"))["KEY_PREFIX"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "KEY_PREFIX": prefix,  # the same database's
        }
    }
    # Two posts in this process, within the limit of 2...
    assert count_post("feedback-post:198.51.100.7", 2, 600) is False
    assert count_post("feedback-post:198.51.100.7", 2, 600) is False
    # ...so the third, in another process (another gunicorn worker), is over it.
    assert run(COUNT_ONE_POST, CACHE_URL=f"filecache://{tmp_path}") == "True"
