"""The product's settings with the bench URLconf (the product's URLs plus the floor page).

Only the bench's processes use it: bench/pages.py in-process and the gunicorn it starts
(DJANGO_SETTINGS_MODULE=bench.settings).
"""

from crm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
