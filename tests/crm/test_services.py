"""The production path: PostgreSQL and Redis. .ci/run sets RAPPORT_REQUIRE_SERVICES=1,
and then these tests fail (never skip) when a service is missing."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

REQUIRED = os.environ.get("RAPPORT_REQUIRE_SERVICES") == "1"
pytestmark = pytest.mark.services


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason + " (set RAPPORT_REQUIRE_SERVICES=1 to make this an error)")


def test_database_is_postgresql_when_required(db):
    _require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        assert cursor.fetchone()[0] >= 120000


def test_broker_round_trip_through_redis():
    _require(settings.CELERY_BROKER_URL.startswith("redis://"), "CELERY_BROKER_URL is not a redis:// URL")
    from kombu import Connection, Exchange, Queue

    name = f"rapport-ci-{uuid.uuid4().hex}"
    queue = Queue(name, Exchange(name), routing_key=name, auto_delete=True)
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=1)
        with conn.Producer() as producer:
            producer.publish({"partner_id": 42}, exchange=queue.exchange, routing_key=name, declare=[queue])
        with conn.SimpleQueue(queue) as simple:
            message = simple.get(timeout=5)
            assert message.payload == {"partner_id": 42}
            message.ack()
