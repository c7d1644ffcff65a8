"""Who may do what in /admin/: every registered model × every admin URL × role × method.

The admin never allows what the app refuses (crm/admin_base.py):
- business records are read-only for everyone, superusers included, history and its
  "revert" form too;
- configuration follows Django's model permissions;
- django-simple-history's revert form never writes, whoever posts to it;
- no admin page carries inline code the Content-Security-Policy would block.

A model registered in the admin without a line in ``KIND`` fails
``test_every_admin_model_is_classified``; an admin URL of a shape this file does not know
fails ``test_every_admin_url_is_covered``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.urls import URLPattern, reverse

from crm.admin_base import PlainRecordAdmin, RecordAdmin
from crm.roles import is_supervisor
from tests.inline_code import inline_code
from tests.shared_rows import module_rows
from tests.test_permissions_matrix import build_world, matrix_media  # noqa: F401

RECORD, CONFIG, SUPERUSER_CONFIG, AUTH = "record", "config", "superuser-config", "auth"
SUPERVISION_CONFIG = "supervision-config"  # configuration only supervision (and superusers) changes

KIND = {
    "auth.group": AUTH,
    "auth.user": AUTH,
    # Sign-in attempts and the login log (django-axes): superusers unlock, nobody edits;
    # tested in tests/crm/test_login_security.py.
    "axes.accessattempt": AUTH,
    "axes.accesslog": AUTH,
    "axes.accessfailurelog": AUTH,
    "crm.department": CONFIG,
    "partners.tag": SUPERUSER_CONFIG,
    "customers.needtag": SUPERUSER_CONFIG,
    "customers.holiday": SUPERUSER_CONFIG,
    "customers.greetingtemplate": SUPERUSER_CONFIG,
    "partners.partner": RECORD,
    "partners.contact": RECORD,
    "suppliers.qualificationdocument": RECORD,
    "partners.interaction": RECORD,
    "partners.followup": RECORD,
    "customers.greeting": RECORD,
    "customers.need": RECORD,
    "customers.gift": RECORD,
    "customers.campaign": RECORD,
    "evaluations.scorecardtemplate": CONFIG,
    "evaluations.evaluation": RECORD,
    "evaluations.decision": RECORD,
    "evaluations.correctiveactionplan": RECORD,
    # Verification only by supervision, verified actions frozen: only the app (crm.services).
    "crm.correctiveaction": RECORD,
    "evaluations.incentive": RECORD,
    "evaluations.screeningoverride": RECORD,
    "surveys.surveytemplate": CONFIG,
    "cases.slatarget": CONFIG,
    "cases.caseintakerule": CONFIG,
    "surveys.survey": RECORD,
    "surveys.surveyinvitation": RECORD,
    "surveys.surveyresponse": RECORD,
    "cases.case": RECORD,
    "supervision.inspectionplan": RECORD,
    "supervision.sample": RECORD,
    "supervision.visit": RECORD,
    "supervision.finding": RECORD,
    # Coverage targets: set by supervision only, as on /supervision/coverage/targets/.
    "supervision.coveragetarget": SUPERVISION_CONFIG,
    # Published reports are frozen; drafts change only in the report's pages (services).
    "supervision.annualreport": RECORD,
    # Pipeline moves only through the service (allowed moves, managers, the assessment gate).
    "partnerships.partnership": RECORD,
    # Associations (P4.4): written on the association's page only (terms, overlaps, routing).
    "associations.membership": RECORD,
    "associations.position": RECORD,
    "associations.associationevent": RECORD,
    "associations.standardwork": RECORD,
    "associations.submission": RECORD,
    "associations.industryreport": RECORD,
    "associations.reportreceipt": RECORD,
    "agreements.agreement": RECORD,
    "agreements.agreementdocument": RECORD,
    "agreements.obligation": RECORD,
    "agreements.executionreview": RECORD,
    "projects.project": RECORD,
    "projects.milestone": RECORD,
}

# The per-model URL shapes the admin and django-simple-history route; anything else is new.
MODEL_URL_SUFFIXES = ("changelist", "add", "change", "delete", "history", "simple_history", "password_change")
SITE_URLS = {"index", "login", "logout", "password_change", "password_change_done", "jsi18n", "app_list"}
SITE_URLS |= {"autocomplete", "view_on_site"}

ROLES = ["anonymous", "staff", "manager", "supervisor", "admin"]


def _label(model) -> str:
    return model._meta.label_lower


def test_every_admin_model_is_classified():
    registered = {_label(m) for m in admin.site._registry}
    assert registered - set(KIND) == set(), "Classify these admin models in KIND"
    assert set(KIND) - registered == set(), "KIND names models no longer in the admin"
    for model, model_admin in admin.site._registry.items():
        if KIND[_label(model)] == RECORD:
            assert isinstance(model_admin, RecordAdmin | PlainRecordAdmin), _label(model)


def test_every_admin_url_is_covered():
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLPattern) and pattern.name:  # the catch-all redirect has none
            assert pattern.name in SITE_URLS, pattern.name
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if pattern.name:  # the catch-all redirect has none
                assert pattern.name.removeprefix(prefix) in MODEL_URL_SUFFIXES, pattern.name


@pytest.fixture(scope="module")
def shared_admin_world(django_db_setup, django_db_blocker, matrix_media):  # noqa: F811
    """Built once for the module; each test's writes are undone after it (tests/shared_rows.py)."""
    with module_rows(django_db_blocker, matrix_media):
        yield _admin_rows(build_world())


@pytest.fixture
def admin_world(db, settings, shared_admin_world, matrix_media):  # noqa: F811
    settings.MEDIA_ROOT = matrix_media  # where the shared world's files are
    return shared_admin_world


def _admin_rows(world):
    """Every admin model has a row; managers and supervisors have staff status, as in the demo."""
    from evaluations.models import Decision, ScreeningOverride
    from evaluations.surveys.models import SurveyResponse
    from partners.customers.models import GreetingTemplate, NeedTag
    from partners.models import Tag

    users, objects = world
    for role in ("manager", "supervisor"):
        users[role].is_staff = True
        users[role].save(update_fields=["is_staff"])
    evaluation = objects["evaluation"]
    Tag.objects.create(name="Strategic")
    NeedTag.objects.create(name="Delivery")
    GreetingTemplate.objects.get_or_create(name="Birthday", defaults={"occasion": "birthday"})
    Decision.objects.create(
        evaluation=evaluation,
        revision=1,
        outcome="retain",
        reason="ok",
        approver=users["manager"],
        decided_at=dt.datetime.now(dt.UTC),
    )
    ScreeningOverride.objects.create(partner=objects["partner"], approved_by=users["manager"], reason="urgent")
    survey = objects["survey"]
    SurveyResponse.objects.create(
        invitation=survey.invitations.get(),
        survey=survey,
        partner=objects["partner"],
        family="supplier",
        period="2026",
        language="en",
        submitted_at=dt.datetime.now(dt.UTC),
    )
    return users


def _rows(model) -> list:
    """What a write would change: the rows and, for models with history, their history."""
    rows = list(model._default_manager.order_by("pk").values())
    history = getattr(model._meta, "simple_history_manager_attribute", None)
    if history:
        rows.append(getattr(model, history).count())
    return rows


def _urls(model, model_admin, obj) -> dict[str, str]:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = {
        "changelist": reverse(f"{info}_changelist"),
        "add": reverse(f"{info}_add"),
        "change": reverse(f"{info}_change", args=[obj.pk]),
        "delete": reverse(f"{info}_delete", args=[obj.pk]),
        "history": reverse(f"{info}_history", args=[obj.pk]),
    }
    history = getattr(model._meta, "simple_history_manager_attribute", None)
    if history:
        version = getattr(model, history).filter(id=obj.pk).order_by("-history_date").first()
        if version is not None:
            urls["simple_history"] = reverse(f"{info}_simple_history", args=[obj.pk, version.history_id])
    return urls


def _expected(kind: str, url: str, method: str, user, model) -> set[int]:
    if user is None or not user.is_staff:
        return {302}  # to the admin's login page
    opts = model._meta
    may = {a: user.has_perm(f"{opts.app_label}.{a}_{opts.model_name}") for a in ("view", "add", "change", "delete")}
    if kind == SUPERUSER_CONFIG:  # shared vocabularies and calendars: superusers write
        may.update(add=user.is_superuser, change=user.is_superuser, delete=user.is_superuser)
    if kind == SUPERVISION_CONFIG:  # supervision's own settings: supervision, whatever the permissions
        may = dict.fromkeys(may, is_supervisor(user))
    reads = may["view"] or may["change"]
    if method == "get":
        if url in ("changelist", "change", "history", "simple_history"):
            return {200} if reads else {403}
        if url == "add":
            return {403} if kind == RECORD or not may["add"] else {200}
        if url == "delete":
            return {403} if kind == RECORD or not may["delete"] else {200}
    # POST with an empty body: a refused write is refused before the form is read.
    if url == "simple_history" or kind == RECORD and url in ("add", "change", "delete"):
        return {403}
    if url == "changelist":
        return {200} if reads else {403}
    if url == "history":
        return {200} if reads else {403}
    perm = {"add": "add", "change": "change", "delete": "delete"}[url]
    return {200, 302} if may[perm] else {403}


@pytest.mark.parametrize("label", sorted(label for label, kind in KIND.items() if kind != AUTH))
def test_admin_matrix(client, admin_world, label):
    users = admin_world
    model = next(m for m in admin.site._registry if _label(m) == label)
    model_admin = admin.site._registry[model]
    kind = KIND[label]
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the fixture needs a {label}"
    urls = _urls(model, model_admin, obj)
    failures = []
    for role in ROLES:
        user = users.get(role)
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, url in urls.items():
            for method in ("get", "post"):
                before = _rows(model)
                response = getattr(client, method)(url, {})
                expected = _expected(kind, name, method, user, model)
                if response.status_code not in expected:
                    failures.append((role, method, name, response.status_code, sorted(expected)))
                elif response.status_code == 200 and (problems := _inline_code(response)):
                    failures.append((role, method, name, "inline code the CSP blocks", problems))
                if kind == RECORD or method == "get" or name == "simple_history":
                    if _rows(model) != before:
                        failures.append((role, method, name, "WROTE"))
    assert not failures, failures


def _inline_code(response) -> list[str]:
    """What the strict Content-Security-Policy would block on an admin page (issue #10 §8)."""
    if "text/html" not in response.get("Content-Type", "") or hasattr(response, "streaming_content"):
        return []
    return inline_code(response.content.decode())


def _form_data(model_admin, request, obj) -> dict:
    """The change form as the admin renders it for obj, every field filled as it is now."""
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, models.Model):
            data[name] = value.pk
        elif value is not None:
            data[name] = value
    return data


@pytest.mark.parametrize("role", ["manager", "admin"])
@pytest.mark.parametrize("label", ["partners.partner", "partners.interaction", "evaluations.decision"])
def test_history_revert_form_never_writes(client, rf, admin_world, role, label):
    """The reported exploit: a full, valid form posted to simple-history's revert page."""
    users = admin_world
    model = next(m for m in admin.site._registry if _label(m) == label)
    model_admin = admin.site._registry[model]
    obj = model._default_manager.order_by("pk").first()
    client.force_login(users[role])
    request = rf.get("/")
    request.user = users["admin"]
    data = _form_data(model_admin, request, obj)
    if "department" in data:
        from crm.models import Department

        data["department"] = Department.objects.exclude(pk=obj.department_id).first().pk
    for field in ("subject", "reason"):
        if field in data:
            data[field] = "Rewritten through the admin"
    url = _urls(model, model_admin, obj)["simple_history"]
    before = _rows(model)
    for extra in ({}, {"_change_history": "1"}, {"_save": "1"}):
        response = client.post(url, {**data, **extra})
        assert response.status_code == 403
    assert _rows(model) == before
    assert not LogEntry.objects.exists()


def test_history_page_costs_the_same_for_a_long_history(client, admin_user, supplier, django_assert_max_num_queries):
    client.force_login(admin_user)
    url = reverse("admin:partners_partner_history", args=[supplier.pk])
    with django_assert_max_num_queries(12) as short:
        assert client.get(url).status_code == 200
    for n in range(120):
        supplier.website = f"https://example.com/{n}"
        supplier.save()
    with django_assert_max_num_queries(len(short.captured_queries)) as long:
        response = client.get(url)
    assert response.status_code == 200
    assert len(long.captured_queries) <= len(short.captured_queries)
