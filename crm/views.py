"""Cross-cutting pages: the dashboard and the profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from crm import roles
from partners.selectors import dashboard_for_user

from .forms import ProfileForm
from .forms import form_data as _post
from .models import Profile


class LoginView(auth_views.LoginView):
    """Django's login, then the user's saved language (Preferences) takes effect."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        profile_obj = Profile.objects.filter(user=form.get_user()).first()
        if profile_obj and profile_obj.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, profile_obj.language, samesite="Lax")
        return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: my follow-ups due/overdue, my partners not contacted recently, my department's news."""
    if not roles.has_any_role(request.user):
        return render(request, "crm/no_role.html", status=403)
    return render(request, "crm/dashboard.html", dashboard_for_user(user=request.user))


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
