"""Pages of projects (P4.3.3, P4.4.2): the list (with CSV export), a project's page, and its
forms — the project, milestones (add, mark done, delete) and the linked interactions.

Access → form → service → message → redirect, as in partners/views.py. The partner's page
shows the "Projects" card (``selectors.projects_panel``, registered in apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.choices import choice_labels
from crm.concurrency import StaleEdit, changed_values, refuse_stale
from crm.csv_export import csv_response
from crm.filters import select_options
from crm.forms import form_data as _post
from crm.forms import querystring_without, show_refusal
from crm.lists import render_list
from crm.roles import role_required
from partners.selectors import partner_get_for_user

from . import selectors, services
from .filters import PROJECT_SELECTS, ProjectFilter
from .forms import InteractionLinkForm, MilestoneForm, ProjectForm
from .models import ProjectKind, ProjectStatus, kinds_for_family

# --- The list --------------------------------------------------------------------------------


def _filter(request: HttpRequest) -> ProjectFilter:
    return ProjectFilter(request.GET, queryset=selectors.project_list_for_user(user=request.user))


@role_required()
def project_list(request: HttpRequest) -> HttpResponse:
    """Every project: search, status, type, partner, sorting, pagination, CSV export."""
    flt = _filter(request)
    page = Paginator(flt.qs, settings.RAPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    kinds, statuses = choice_labels(ProjectKind), choice_labels(ProjectStatus)
    for p in page.object_list:
        p.kind_label, p.status_label = kinds[p.kind], statuses[p.status]
    context = {
        "filter": flt,
        "selects": select_options(flt, PROJECT_SELECTS),
        "page": page,
        "querystring": querystring_without(request, "page"),
        "export_url": reverse("projects:export"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    return render_list(request, "projects/project_list.html", context, results="projects/_project_table.html")


@role_required()
def project_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list's current filter as CSV, streamed."""
    flt = _filter(request)
    kinds, statuses = choice_labels(ProjectKind), choice_labels(ProjectStatus)
    header = [
        _("Title"),
        _("Type"),
        _("Partners"),
        _("Department"),
        _("Owner"),
        _("Status"),
        _("Start date"),
        _("End date"),
        _("Progress (%)"),
        _("Goal"),
    ]
    rows = (
        (
            p.title,
            kinds[p.kind],
            "; ".join(sorted(partner.name for partner in p.partners.all())),
            p.department.display_name,
            p.owner.get_full_name() or p.owner.get_username(),
            statuses[p.status],
            p.starts_on,
            p.ends_on or "",
            p.progress,
            p.goal,
        )
        for p in flt.qs.iterator(chunk_size=500)
    )
    return csv_response(filename=f"rapport-projects-{timezone.localdate().isoformat()}.csv", header=header, rows=rows)


# --- One project -----------------------------------------------------------------------------


@role_required()
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    context = selectors.project_detail_context(project=project, user=request.user)
    return render(request, "projects/project_detail.html", context)


@role_required()
def partner_projects(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows of the partner page's "Projects" card, loaded by htmx after the page; a plain
    visit lands on the list filtered to the partner."""
    partner = partner_get_for_user(user=request.user, pk=pk)
    if not request.htmx:
        return redirect(reverse("projects:list") + f"?partner={partner.pk}")
    return render(request, "projects/_partner_projects.html", {"projects": selectors.partner_projects(partner=partner)})


@role_required()
def milestones_due(request: HttpRequest) -> HttpResponse:
    """The rows of the dashboard's "Project milestones due" card (the user's projects, due in
    two weeks or overdue), loaded by htmx after the page; a plain visit lands on the list."""
    if not request.htmx:
        return redirect("projects:list")
    return render(request, "projects/_milestones_due.html", selectors.milestones_due_for_user(user=request.user))


@role_required()
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to the project and its milestones, newest first, paginated."""
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    entries = selectors.project_history(project=project)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_history.html",
        {"project": project, "page": page, "querystring": querystring_without(request, "page")},
    )


@role_required(write=True)
def project_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new project from a partner's or an association's page: its department's staff and
    managers (P4.3.3, P4.4.2)."""
    partner = partner_get_for_user(user=request.user, pk=pk, write=True)
    kinds = kinds_for_family(partner.family)
    if not kinds:
        messages.error(request, _("Projects are run with partners and associations."))
        return redirect(partner)
    form = ProjectForm(
        _post(request),
        initial={
            "partners": [partner.pk],
            "owner": request.user.pk,
            "team": [request.user.pk],
            "starts_on": timezone.localdate(),
            "kind": kinds[0],
            "progress": 0,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partners = sorted(data["partners"], key=lambda p: (p.pk != partner.pk, p.name))
        try:
            project = services.project_create(data=data, partners=partners, team=list(data["team"]), by=request.user)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The project was created."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "partner": partner, "project": None})


@role_required(write=True)
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk, edit=True)
    form = ProjectForm(
        _post(request),
        instance=project,
        initial={"partners": list(project.partners.all()), "team": list(project.team.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                pk=project.pk,
                changed=changed_values(form),
                partners=list(form.cleaned_data["partners"]) if "partners" in form.changed_data else None,
                team=list(form.cleaned_data["team"]) if "team" in form.changed_data else None,
                version=form.version,
                by=request.user,
            )
        except StaleEdit as exc:
            refuse_stale(form, exc)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The project was saved."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "partner": None, "project": project})


@role_required(write=True)
def project_interactions(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the interactions with the project's partners that belong to it."""
    project = selectors.project_get_for_user(user=request.user, pk=pk, edit=True)
    partner_ids = list(project.partners.values_list("pk", flat=True))
    form = InteractionLinkForm(
        _post(request),
        queryset=selectors.linkable_interactions(partner_ids=partner_ids),
        initial={"interactions": list(project.interactions.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_link_interactions(
                project=project, interactions=list(form.cleaned_data["interactions"]), by=request.user
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The linked interactions were saved."))
            return redirect(project.get_absolute_url() + "#interactions")
    return render(request, "projects/interactions_form.html", {"form": form, "project": project})


# --- Milestones ------------------------------------------------------------------------------


@role_required(write=True)
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk, edit=True)
    form = MilestoneForm(_post(request), initial={"order": project.milestones.count() + 1})
    if request.method == "POST" and form.is_valid():
        services.milestone_add(project=project, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The milestone was added."))
        if "another" in request.POST:
            return redirect("projects:milestone_add", pk=project.pk)
        return redirect(project.get_absolute_url() + "#milestones")
    return render(request, "projects/milestone_form.html", {"form": form, "project": project})


@role_required(write=True)
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a milestone done today: the department's staff and managers."""
    milestone = selectors.milestone_get_for_user(user=request.user, pk=pk)
    try:
        services.milestone_mark_done(milestone=milestone, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The milestone was marked done."))
    return redirect(milestone.project.get_absolute_url() + "#milestones")


@role_required(write=True)
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST deletes the milestone (its history stays)."""
    milestone = selectors.milestone_get_for_user(user=request.user, pk=pk)
    project = milestone.project
    if request.method == "POST":
        services.milestone_delete(milestone=milestone, by=request.user)
        messages.success(request, _("The milestone was deleted."))
        return redirect(project.get_absolute_url() + "#milestones")
    return render(request, "projects/milestone_delete.html", {"milestone": milestone, "project": project})
