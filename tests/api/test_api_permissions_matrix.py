"""Who may do what through the API: every API route × method × role, with the roles of
tests/test_permissions_matrix.py. The API never grants what the pages refuse.

Writes send a body that passes the access check but not the form (400), and PATCH no
If-Match (428): a role that may write gets past the access check and no further, so the
matrix changes nothing. A route or method without an entry here fails
``test_every_api_route_has_a_matrix_entry``."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.services import api_token_create
from evaluations.models import ScorecardTemplate
from partners.cases.services import case_open
from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory, PartnerFactory, UserFactory

ROLES = ["anonymous", "outsider", "staff", "staff_other", "manager", "manager_other", "supervisor", "admin"]

READ = {"anonymous": 401, "outsider": 403, **{r: 200 for r in ROLES[2:]}}
# Staff and managers of any department (supervision reads only, P5.1): past the check, 400.
WRITE_ANY = {"anonymous": 401, "outsider": 403, **{r: 400 for r in ROLES[2:]}, "supervisor": 403}
# Staff and managers of the partner's department (Procurement), and superusers.
WRITE_OWN = {**WRITE_ANY, "staff_other": 403, "manager_other": 403}
PATCH_OWN = {r: (428 if v == 400 else v) for r, v in WRITE_OWN.items()}
# The author, owner or assignee (staff here) or a manager of the department.
PATCH_MINE = PATCH_OWN

PARTNER_BODY = {"partner": "partner"}  # a body naming the world's partner (filled in below)

# route name -> (detail?, {method: (body, expectations)})
API_MATRIX: dict[str, tuple] = {
    "api:partner-list": (None, {"get": (None, READ), "post": ({}, WRITE_ANY)}),
    "api:partner-detail": ("partner", {"get": (None, READ), "patch": ({}, PATCH_OWN)}),
    "api:contact-list": (None, {"get": (None, READ), "post": (PARTNER_BODY, WRITE_OWN)}),
    "api:contact-detail": ("contact", {"get": (None, READ), "patch": ({}, PATCH_OWN)}),
    "api:interaction-list": (None, {"get": (None, READ), "post": (PARTNER_BODY, WRITE_ANY)}),
    "api:interaction-detail": ("interaction", {"get": (None, READ), "patch": ({}, PATCH_MINE)}),
    # Follow-ups: the list is each user's own; one follow-up reads for every role.
    "api:followup-list": (None, {"get": (None, READ)}),
    "api:followup-detail": ("followup", {"get": (None, READ), "patch": ({}, PATCH_MINE)}),
    "api:case-list": (None, {"get": (None, READ), "post": (PARTNER_BODY, WRITE_ANY)}),
    "api:case-detail": ("case", {"get": (None, READ)}),
    # The case's department (Procurement) and its assignee (staff) write notes.
    "api:case-notes": ("case", {"get": (None, READ), "post": ({}, WRITE_OWN)}),
    # Read-only: scorecards (a partner's), standings (a template's), survey results.
    "api:scorecard-detail": ("partner", {"get": (None, READ)}),
    "api:standing-list": (None, {"get": (None, READ)}),
    "api:survey-results": (None, {"get": (None, READ)}),
}
# Query strings a route needs to answer 200.
QUERIES = {"api:standing-list": lambda o: f"?template={o['template'].pk}"}


def _api_routes() -> dict[str, set[str]]:
    """Each API route name with the methods it answers (HEAD and OPTIONS aside)."""
    routes: dict[str, set[str]] = {}
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace == "api":
            for p in resolver.url_patterns:
                if isinstance(p, URLPattern) and p.name:
                    actions = getattr(p.callback, "actions", None)  # a viewset's, else an APIView's
                    if actions is None:
                        actions = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(p.callback.cls, m)}
                    routes[f"api:{p.name}"] = set(actions) - {"head", "options"}
    return routes


def test_every_api_route_has_a_matrix_entry():
    routes = _api_routes()
    assert routes, "no API routes found"
    assert set(routes) == set(API_MATRIX), sorted(set(routes) ^ set(API_MATRIX))
    for name, methods in routes.items():
        assert methods == set(API_MATRIX[name][1]), (name, methods)


@pytest.fixture
def api_world(db):
    staff = UserFactory(username="staff", role="Staff", dept="procurement")
    users = {
        "staff": staff,
        "staff_other": UserFactory(username="staff2", role="Staff", dept="sales"),
        "manager": UserFactory(username="manager", role="Manager", dept="procurement"),
        "manager_other": UserFactory(username="manager2", role="Manager", dept="sales"),
        "supervisor": UserFactory(username="supervisor", role="Supervision", dept="general-office"),
        "outsider": UserFactory(username="outsider", dept="sales"),
        "admin": UserFactory(username="admin"),
    }
    users["admin"].is_superuser = users["admin"].is_staff = True
    users["admin"].save()
    partner = PartnerFactory(name="Matrix Supplier", owner=staff)
    objects = {
        "partner": partner,
        "contact": ContactFactory(partner=partner),
        "interaction": InteractionFactory(partner=partner, author=staff),
        "followup": FollowUpFactory(partner=partner, owner=staff),
        "template": ScorecardTemplate.objects.get(purpose="periodic", family="supplier"),
        "case": case_open(partner=partner, kind="complaint", channel="phone", subject="Late", description="Late"),
    }
    tokens = {role: api_token_create(user=user, name="matrix")[1] for role, user in users.items()}
    return tokens, objects


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_api_permission_matrix(api_world, settings, name):
    settings.RAPPORT_API_RATE = "10000/minute"
    tokens, objects = api_world
    detail, methods = API_MATRIX[name]
    url = reverse(name, kwargs={"pk": objects[detail].pk} if detail else None)
    url += QUERIES[name](objects) if name in QUERIES else ""
    client = Client()
    failures = []
    for method, (body, expectations) in methods.items():
        if body is PARTNER_BODY:
            body = {"partner": objects["partner"].pk}
        for role in ROLES:
            headers = {} if role == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}
            if method == "get":
                response = client.get(url, **headers)
            else:
                response = getattr(client, method)(url, body, content_type="application/json", **headers)
            if response.status_code != expectations[role]:
                failures.append((method, role, expectations[role], response.status_code))
    assert not failures, failures
