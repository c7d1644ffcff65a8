"""The JSON API's kernel (Django REST framework + drf-spectacular): what every app's API shares.

Apps never import each other's API: each writes an ``api.py`` of viewsets and registers them
here in its ``AppConfig.ready()`` with ``register_api`` (like ``crm.panels``); the root URLconf
mounts ``api_urls()`` under ``/api/``. The rules, the same for every endpoint (docs/api.md):

- Authentication: a personal token (``Authorization: Bearer <token>``, created and revoked on
  the profile page, only its hash stored, a revoked token refused at its next request) or the
  browser's session (with its CSRF check). Every endpoint asks for a role (``HasRole``); what a
  record allows is decided by the same selectors as the pages, so the API never grants what
  the UI refuses.
- Writes go through the pages' forms (the same validation and messages, as field errors with
  400) and then the same services (the same history and side effects).
- Optimistic concurrency: a record's ``ETag`` is its version (``crm.concurrency``); a PATCH
  must send it back in ``If-Match``: 428 without one, 412 when the record changed since.
- Lists page with a cursor over the primary key (its index), filtered like the pages.
- One rate limit per token (per user for a session), counted in the shared cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler

from .concurrency import VERSION_FIELD, StaleEdit, parse_version, version_of

# --- The registry of routes ---------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    prefix: str
    viewset: type
    basename: str


_ROUTES: dict[str, _Route] = {}


def register_api(prefix: str, viewset: type, *, basename: str) -> None:
    """Called from an app's ``AppConfig.ready()``: ``/api/<prefix>/`` served by ``viewset``."""
    _ROUTES[basename] = _Route(prefix=prefix, viewset=viewset, basename=basename)


_VIEWS: dict[str, tuple[str, type]] = {}


def register_api_view(route: str, view: type, *, name: str) -> None:
    """A single resource that is not a collection (a report): ``/api/<route>`` served by an
    ``APIView``."""
    _VIEWS[name] = (route, view)


def api_urls() -> list:
    router = SimpleRouter(trailing_slash=True)
    for route in sorted(_ROUTES.values(), key=lambda r: r.prefix):
        router.register(route.prefix, route.viewset, basename=route.basename)
    views = [path(route, view.as_view(), name=name) for name, (route, view) in sorted(_VIEWS.items())]
    return router.urls + views


# --- Authentication (crm/api_auth.py) in the schema -------------------------------------


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "crm.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (profile page)."}


# --- ETag / If-Match ------------------------------------------------------------------------


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send the record's ETag in an If-Match header to change it (read it first with GET).")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Someone changed this record since you read it: nothing was saved. Read it again and retry.")
    default_code = "precondition_failed"


def etag_of(instance: models.Model) -> str:
    return f'"{version_of(instance)}"'


def with_etag(response: Response, instance: models.Model) -> Response:
    response["ETag"] = etag_of(instance)
    return response


def if_match_version(request) -> str:
    """The version a write was based on, from ``If-Match``: 428 without one, 412 for one that
    is not a version of ours (``*`` included: a blind overwrite is what this prevents)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired
    value = header.removeprefix("W/").strip().strip('"')
    if parse_version(value) is None:
        raise PreconditionFailed
    return value


# --- Errors ---------------------------------------------------------------------------------


def _django_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """A service's refusal is the client's error: ``StaleEdit`` → 412 with the current ETag,
    a model or service ``ValidationError`` → 400 with field messages."""
    if isinstance(exc, StaleEdit):
        response = drf_exception_handler(PreconditionFailed(), context)
        response.data["changed"] = [{"field": c.label, "value": c.value} for c in exc.changes]
        response["ETag"] = f'"{exc.version}"'
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    return drf_exception_handler(exc, context)


# --- Writes through the pages' forms ---------------------------------------------------------


def body_of(request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return dict(request.data)


def valid_form(form: forms.BaseForm) -> forms.BaseForm:
    """The form's errors, as the API's 400 with one list of messages per field."""
    if not form.is_valid():
        errors = {("non_field_errors" if k == "__all__" else k): list(v) for k, v in form.errors.items()}
        if VERSION_FIELD in errors:  # the If-Match value stands for the form's version
            errors.setdefault("non_field_errors", []).extend(errors.pop(VERSION_FIELD))
        raise exceptions.ValidationError(errors)
    return form


def update_form(
    request, form_class: type[forms.BaseForm], *, instance: models.Model, body: dict | None = None, **kwargs
) -> forms.BaseForm:
    """A PATCH bound like the page's edit form: every field as the record has it, overlaid
    with the fields the body sends, and the version from ``If-Match``; ``changed_data`` then
    names exactly what the client changed."""
    version = if_match_version(request)
    unbound = form_class(instance=instance, **kwargs)
    data = {name: unbound[name].value() for name in unbound.fields if name != VERSION_FIELD}
    body = body_of(request) if body is None else body
    data.update({k: v for k, v in body.items() if k in unbound.fields and k != VERSION_FIELD})
    data[VERSION_FIELD] = version
    return valid_form(form_class(data, instance=instance, **kwargs))


# --- The schema -------------------------------------------------------------------------------

_ERRORS = {
    "400": "Invalid input: a list of messages per field (`non_field_errors` for the whole record).",
    "401": "No valid token or session.",
    "403": "Your role does not allow this.",
    "404": "No such record.",
    "412": "The record changed since the ETag sent in If-Match: nothing was saved.",
    "428": "A change needs the record's ETag in If-Match.",
    "429": "Too many requests for this token: wait and retry.",
}


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: every operation may answer with an error object
    (``{"detail": ...}`` or field messages), documented once here rather than per view."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
        "type": "object",
        "additionalProperties": True,
        "description": "`detail` (a message), or one list of messages per field.",
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            codes = ["400", "401", "403", "404", "429"]
            if method in ("patch", "put"):
                codes += ["412", "428"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": _ERRORS[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
