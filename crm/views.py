"""Cross-cutting pages: the dashboard and the profile."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import roles

from . import calendar as calendar_service
from .forms import ProfileForm
from .forms import form_data as _post
from .models import CalendarToken, Heartbeat, Notification, OutboundEmail, Profile, ScanRun, TaskFailure
from .notifications import email_stuck_after, emails_stuck, notification_mark_read
from .panels import panels_for
from .scheduler import load_scans


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
    return render(request, "crm/profile.html", {"form": form})


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
    beats = {row.kind: row.at for row in Heartbeat.objects.all()}
    worker_at = beats.get(Heartbeat.Kind.WORKER)
    # Late: two heartbeat periods without one (beat, the broker or every worker is down).
    late_after = dt.timedelta(seconds=2 * settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"])
    return render(
        request,
        "crm/operations.html",
        {
            "latest": latest,
            "worker_heartbeat": worker_at,
            "worker_late": worker_at is None or now - worker_at > late_after,
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


def moved(request: HttpRequest, rest: str) -> HttpResponse:
    """A page that moved to ``/<rest>``: 301 for reads, 308 (method and body kept) for a form
    posted from a page loaded before the move."""
    query = request.META.get("QUERY_STRING", "")
    target = "/" + rest + (f"?{query}" if query else "")
    response = HttpResponsePermanentRedirect(target)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response
