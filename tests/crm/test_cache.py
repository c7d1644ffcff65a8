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


def test_rate_limit_counts_are_shared_between_processes(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }
    # Two posts in this process, within the limit of 2...
    assert count_post("feedback-post:198.51.100.7", 2, 600) is False
    assert count_post("feedback-post:198.51.100.7", 2, 600) is False
    # ...so the third, in another process (another gunicorn worker), is over it.
    assert run(COUNT_ONE_POST, CACHE_URL=f"filecache://{tmp_path}") == "True"
