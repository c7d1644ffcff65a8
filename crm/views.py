"""Cross-cutting pages: the dashboard and the profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from health_check.views import HealthCheckView

from crm import roles

from . import calendar as calendar_service
from . import health
from . import selectors as action_selectors
from . import services as action_services
from .choices import choice_labels
from .concurrency import StaleEdit, refuse_stale
from .filters import ACTION_SELECTS, CorrectiveActionFilter, select_options
from .forms import (
    ApiTokenForm,
    CorrectiveActionCancelForm,
    CorrectiveActionResponseForm,
    CorrectiveActionVerifyForm,
    ProfileForm,
    querystring_without,
)
from .forms import form_data as _post
from .lists import list_page, render_list
from .models import (
    ApiToken,
    CalendarToken,
    CorrectiveAction,
    Heartbeat,
    Notification,
    OutboundEmail,
    Profile,
    ScanRun,
    TaskFailure,
)
from .notifications import email_stuck_after, emails_stuck, notification_mark_read
from .panels import panels_for
from .roles import role_required
from .scheduler import load_scans
from .uploads import file_response


class LoginView(auth_views.LoginView):
    """Django's login, then the user's saved language (Preferences) takes effect."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        profile_obj = Profile.objects.filter(user=form.get_user()).first()
        if profile_obj and profile_obj.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, profile_obj.language, samesite="Lax")
        return response


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out sign-in sees (django-axes' AXES_LOCKOUT_CALLABLE): the sign-in page
    layout with the reason and how long to wait; the password was not even checked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "registration/login_locked_out.html", {"minutes": minutes}, status=429)
    add_never_cache_headers(response)
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: my follow-ups due/overdue, my partners not contacted recently, my department's news."""
    if not roles.has_any_role(request.user):
        return render(request, "crm/no_role.html", status=403)
    # The apps contribute the counters and cards (partners: follow-ups and contacts; cases: my
    # open cases), see crm/panels.py.
    context = {
        "counters": panels_for("dashboard_counters", user=request.user),
        "panels": panels_for("dashboard", user=request.user),
    }
    return render(request, "crm/dashboard.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in user's choice is also saved as their language,
    which notifications and e-mails follow (otherwise the next sign-in would undo it)."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    profile_obj, _created = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(_post(request), instance=profile_obj)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.instance.language)
        messages.success(request, _("Your preferences were saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.instance.language, samesite="Lax")
        return response
    return render(request, "crm/profile.html", {"form": form, **_api_tokens_context(request)})


def _api_tokens_context(request: HttpRequest) -> dict:
    """The profile's API tokens: the user's, newest first, and a new token's secret, shown on
    the one page that follows its creation (it is kept nowhere else)."""
    if not roles.has_any_role(request.user):
        return {"api_tokens_allowed": False}
    return {
        "api_tokens_allowed": True,
        "api_tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")[:50],
        "api_token_form": ApiTokenForm(),
        "new_api_token": request.session.pop(NEW_API_TOKEN_KEY, None),
    }


NEW_API_TOKEN_KEY = "new_api_token"


@role_required()
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = action_services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            request.session[NEW_API_TOKEN_KEY] = {"name": token.name, "token": raw}
            messages.success(request, _("API token “%(name)s” created.") % {"name": token.name})
    else:
        messages.error(request, _("Name the token after where you use it."))
    return redirect(reverse("profile") + "#api-tokens")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not ApiToken.objects.filter(user=request.user, pk=pk).exists():
        raise Http404
    if action_services.api_token_revoke(user=request.user, pk=pk):
        messages.success(request, _("The API token was revoked: it no longer works."))
    return redirect(reverse("profile") + "#api-tokens")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The notification centre: newest first, unread highlighted."""
    qs = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "crm/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read, then follow its link (or come back to the list)."""
    notification = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if notification is None:
        raise Http404
    notification_mark_read(user=request.user, pk=pk)
    return redirect(notification.link or "notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications")


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    token = calendar_service.calendar_token_for(request.user)
    url = request.build_absolute_uri(f"/calendar/{token.token}.ics")
    return render(request, "crm/calendar.html", {"feed_url": url})


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    calendar_service.calendar_token_rotate(user=request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect("calendar")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by secret: calendar apps cannot sign in. A revoked or unknown token is 404."""
    row = CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if row is None:
        raise Http404
    response = HttpResponse(calendar_service.calendar_feed(user=row.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="rapport.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def operations(request: HttpRequest) -> HttpResponse:
    """For admins: each periodic scan's last run (stale ones flagged), the heartbeats, the
    recovery settings, failed and stuck emails."""
    if not request.user.is_superuser:
        raise PermissionDenied
    latest = []
    for name in sorted(load_scans()):
        latest.append((name, ScanRun.objects.filter(name=name).order_by("-started_at", "-pk").first()))
    now = timezone.now()
    beats = health.heartbeats()
    worker_at, beat_tick = beats.get(Heartbeat.Kind.WORKER), beats.get(Heartbeat.Kind.BEAT_TICK)
    return render(
        request,
        "crm/operations.html",
        {
            "readiness": health.readiness(),
            "latest": latest,
            "worker_heartbeat": worker_at,
            "worker_late": health.is_late(worker_at, health.worker_late_after(), now=now),
            "beat_tick": beat_tick,
            "beat_late": health.is_late(beat_tick, health.beat_late_after(), now=now),
            "beat_started": beats.get(Heartbeat.Kind.BEAT_START),
            "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout"),
            "task_time_limit": settings.CELERY_TASK_TIME_LIMIT,
            "stale_after": settings.RAPPORT_SCAN_STALE_AFTER,
            "email_stuck_after": int(email_stuck_after().total_seconds()),
            "failed_runs": ScanRun.objects.filter(outcome=ScanRun.Outcome.FAILED).order_by("-started_at")[:20],
            "failed_tasks": TaskFailure.objects.order_by("-failed_at")[:20],
            "failed_emails": OutboundEmail.objects.filter(state=OutboundEmail.State.FAILED).order_by("-created_at")[
                :20
            ],
            "pending_emails": OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).count(),
            "stuck_emails": emails_stuck(now=now).order_by("claimed_at")[:20],
        },
    )


class HealthView(HealthCheckView):
    """/healthz (no checks: the process answers) and /readyz (health.READINESS_CHECKS): 200
    when every check passes, else 503. Anyone may ask, load balancers and monitors do: the
    answer is each check's name with "ok" or "fail", never the reason (which may name a host
    or a driver error); superusers read the reasons on the operations page. A class, unlike
    our other views, because `manage.py health_check readyz --no-http` finds the checks on it.
    """

    checks = ()

    @method_decorator(transaction.non_atomic_requests)
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Synchronous like every other view (the library's is async): the same headers.
        response = View.dispatch(self, request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        add_never_cache_headers(response)
        return response

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Synchronous, like every other view: the checks run at once (health.run_checks).
        results = health.run_checks(list(self.get_checks()))
        failed = any(result.error for result in results)
        return JsonResponse(
            {
                "status": "fail" if failed else "ok",
                "checks": {result.check.name: "fail" if result.error else "ok" for result in results},
            },
            status=503 if failed else 200,
        )


def moved(request: HttpRequest, rest: str) -> HttpResponse:
    """A page that moved to ``/<rest>``: 301 for reads, 308 (method and body kept) for a form
    posted from a page loaded before the move."""
    query = request.META.get("QUERY_STRING", "")
    target = "/" + rest + (f"?{query}" if query else "")
    response = HttpResponsePermanentRedirect(target)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response


# --- Corrective actions (crm.services; who may do what: crm.selectors) ----------------------

ACTION_PAGE_SIZE = 50


def _too_large(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    request.POST  # noqa: B018  (parsing the body runs the upload handlers, which set the flag)
    return getattr(request, "upload_too_large", False)


@role_required()
def corrective_action_list(request: HttpRequest) -> HttpResponse:
    """Corrective actions from every source: staff and managers see their own and their
    department's, the supervision group all of them (P5.1). Open ones first by due date."""
    data = request.GET.copy()
    if "state" not in data and not data.get("q"):
        data["state"] = "active"  # the working view: what still needs doing or verifying
    flt = CorrectiveActionFilter(
        data,
        queryset=action_selectors.corrective_actions_visible_to(request.user).select_related(
            "owner", "department", "source_type"
        ),
        request=request,
    )
    page = list_page(request, flt.qs, per_page=ACTION_PAGE_SIZE)
    today = timezone.localdate()
    states = choice_labels(CorrectiveAction.State)
    kinds = dict(source_kinds_cached(flt))
    for action in page.object_list:
        action.state_label = states[action.state]
        action.overdue = action.is_overdue(today)
        action.source_label = kinds.get(action.source_type_id, "")
    context = {
        "filter": flt,
        "selects": select_options(flt, ACTION_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
    }
    return render_list(request, "crm/corrective_action_list.html", context, results="crm/_corrective_action_table.html")


def source_kinds_cached(flt: CorrectiveActionFilter) -> list[tuple[int, str]]:
    """The source select's choices, already computed for the filter form (no second query)."""
    return [(int(value), label) for value, label in flt.form.fields["source"].choices if value != ""]


def _action_context(request: HttpRequest, action: CorrectiveAction, **forms) -> dict:
    user = request.user
    source = action.source
    context = {
        "action": action,
        "source": source,
        "source_url": source.get_absolute_url() if hasattr(source, "get_absolute_url") else "",
        "source_kind": str(action.source_type.model_class()._meta.verbose_name).capitalize()
        if action.source_type.model_class()
        else action.source_type.model,
        "overdue": action.is_overdue(),
        "history": list(action.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]),
        "may_respond": action_selectors.may_respond(user, action),
        "may_verify": action_selectors.may_verify(user, action),
        "verify_problem": action_selectors.verify_problem(user, action)
        if roles.is_supervisor(user) and action.state == CorrectiveAction.State.RESPONDED
        else None,
        "may_cancel": action_selectors.may_cancel(user, action),
    }
    if context["may_respond"]:
        context["response_form"] = forms.get("response_form") or CorrectiveActionResponseForm(
            versioned=action, prefix="r", initial={"response": action.response}
        )
    if context["may_verify"]:
        context["verify_form"] = forms.get("verify_form") or CorrectiveActionVerifyForm(versioned=action, prefix="v")
    if context["may_cancel"]:
        context["cancel_form"] = forms.get("cancel_form") or CorrectiveActionCancelForm(versioned=action, prefix="c")
    return context


@role_required()
def corrective_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_selectors.corrective_action_get_for_user(user=request.user, pk=pk)
    return render(request, "crm/corrective_action_detail.html", _action_context(request, action))


@role_required()
@require_POST
def corrective_action_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner or a department manager answers, with evidence: it then awaits verification."""
    action = action_selectors.corrective_action_get_for_user(user=request.user, pk=pk)
    action_selectors.require(action_selectors.may_respond(request.user, action))
    form = CorrectiveActionResponseForm(
        request.POST, request.FILES, versioned=action, prefix="r", upload_too_large=_too_large(request)
    )
    if form.is_valid():
        try:
            action_services.corrective_action_respond(
                action=action,
                by=request.user,
                response=form.cleaned_data["response"],
                evidence_file=form.cleaned_data.get("evidence"),
                version=form.version,
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your response was recorded: the supervision group will verify it."))
            return redirect(action)
    return render(request, "crm/corrective_action_detail.html", _action_context(request, action, response_form=form))


@role_required()
@require_POST
def corrective_action_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervision group accepts the response (closed) or sends the action back."""
    action = action_selectors.corrective_action_get_for_user(user=request.user, pk=pk)
    action_selectors.require(roles.is_supervisor(request.user))
    form = CorrectiveActionVerifyForm(request.POST, versioned=action, prefix="v")
    if form.is_valid():
        try:
            action_services.corrective_action_verify(
                action=action,
                by=request.user,
                accepted=form.accepted,
                note=form.cleaned_data.get("note", ""),
                version=form.version,
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.accepted:
                messages.success(request, _("The corrective action was verified and closed."))
            else:
                messages.success(request, _("The corrective action was sent back to its owner."))
            return redirect(action)
    context = _action_context(request, action, verify_form=form)
    context["verify_form"] = form  # shown even when the refusal is "your own action"
    return render(request, "crm/corrective_action_detail.html", context)


@role_required()
@require_POST
def corrective_action_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_selectors.corrective_action_get_for_user(user=request.user, pk=pk)
    action_selectors.require(action_selectors.may_cancel(request.user, action))
    form = CorrectiveActionCancelForm(request.POST, versioned=action, prefix="c")
    if form.is_valid():
        try:
            action_services.corrective_action_cancel(
                action=action, by=request.user, reason=form.cleaned_data["reason"], version=form.version
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The corrective action was cancelled."))
            return redirect(action)
    return render(request, "crm/corrective_action_detail.html", _action_context(request, action, cancel_form=form))


@role_required()
def corrective_action_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file, for whoever may read the action: as an attachment (crm/uploads.py)."""
    action = action_selectors.corrective_action_get_for_user(user=request.user, pk=pk)
    if not action.evidence:
        raise Http404
    return file_response(action.evidence, download_name=f"corrective-action-{action.pk}-evidence")
