"""Schemathesis against /api/schema/, in-process through the WSGI app, with a real token: no
answer is a 5xx and every answer matches the schema (docs/api.md).

Each operation gets a few random cases, and its detail operations also cases aimed at a real
record with its current ETag in If-Match, so a PATCH reaches the form and the service instead
of stopping at 404 or 428. The number of examples is bounded to keep it a few seconds."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from crm.services import api_token_create
from partners.cases.services import case_open
from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory

EXAMPLES = 8
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def keep_the_test_connection():
    """The WSGI app closes old connections around each request; inside the test's transaction
    that would close it (PostgreSQL). Django's test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class _Reader(Client):
    """Django's test client, which connects close_old_connections back after each request:
    switched off again, for the WSGI requests that follow."""

    def request(self, **request):
        try:
            return super().request(**request)
        finally:
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)


def test_the_api_survives_schemathesis(staff, supplier, settings, keep_the_test_connection):
    settings.RAPPORT_API_RATE = "100000/minute"
    _token, raw = api_token_create(user=staff, name="fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    records = {
        "partners": supplier.pk,
        "scorecards": supplier.pk,
        "contacts": ContactFactory(partner=supplier).pk,
        "interactions": InteractionFactory(partner=supplier, author=staff).pk,
        "follow-ups": FollowUpFactory(partner=supplier, owner=staff).pk,
        "cases": case_open(partner=supplier, kind="complaint", channel="phone", subject="Late", description="Late").pk,
    }
    app = get_wsgi_application()
    reader = _Reader()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:
        strategies = [operation.as_strategy(headers=headers)]
        resource = operation.path.split("/")[2]
        if "{id}" in operation.path:
            strategies.append(operation.as_strategy(headers=headers, path_parameters={"id": records[resource]}))

        for strategy in strategies:
            _fuzz(strategy, operation.method.upper(), resource, records, headers, reader)


def _fuzz(strategy, method: str, resource: str, records: dict, headers: dict, reader: Client) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def check(case):
        pk = (case.path_parameters or {}).get("id")
        if method == "PATCH" and pk == records.get(resource):
            read = reader.get(f"/api/{resource}/{pk}/", HTTP_AUTHORIZATION=headers["Authorization"])
            if read.status_code == 200:
                case.headers = {**(case.headers or {}), "If-Match": read["ETag"]}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()
