"""Project pages (P4.3.3, P4.4.2): created from the partner's page, bad input refused next to
the field with nothing saved, milestones marked done, the list filters and exports, others
get 403, and the pages run a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.projects import services
from partners.projects.models import Milestone, Project
from tests.factories import InteractionFactory, PartnerFactory


@pytest.fixture
def ally(staff):
    return PartnerFactory(name="Bright Labs", family="partner", owner=staff)


def _form(partner, user, **overrides) -> dict:
    return {
        "title": "Joint R&D",
        "kind": "joint",
        "partners": [partner.pk],
        "owner": user.pk,
        "team": [user.pk],
        "status": "active",
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": "",
        "goal": "A prototype",
        "progress": 20,
    } | overrides


def _project(manager, partner, title="Joint R&D", **data):
    return services.project_create(
        data={
            "title": title,
            "kind": "joint",
            "owner": manager,
            "goal": "A prototype",
            "status": "active",
            "starts_on": timezone.localdate(),
        }
        | data,
        partners=[partner],
        by=manager,
    )


def test_staff_create_a_project_from_the_partners_page(client, staff, ally):
    client.force_login(staff)
    page = client.get(ally.get_absolute_url()).content.decode()
    assert 'id="projects"' in page and reverse("projects:create", args=[ally.pk]) in page
    response = client.post(reverse("projects:create", args=[ally.pk]), _form(ally, staff), follow=True)
    assert "The project was created." in response.content.decode()
    project = Project.objects.get()
    assert list(project.partners.all()) == [ally] and list(project.team.all()) == [staff]
    # The partner page's card loads its rows after the page (htmx).
    card_url = reverse("projects:partner_projects", args=[ally.pk])
    assert card_url in client.get(ally.get_absolute_url()).content.decode()
    card = client.get(card_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Joint R&amp;D" in card and "20% done" in card


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_on": "2021-01-01", "ends_on": "2020-01-01"}, "The end date cannot be before the start date."),
        ({"progress": 120}, "Ensure this value is less than or equal to 100."),
        ({"kind": "cooperative"}, "family only"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, staff, ally, overrides, message):
    client.force_login(staff)
    response = client.post(reverse("projects:create", args=[ally.pk]), _form(ally, staff, **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Project.objects.exists()


def test_others_get_403(client, staff_sales, manager, ally):
    project = _project(manager, ally)
    milestone = services.milestone_add(project=project, data={"title": "M", "due_on": timezone.localdate()}, by=manager)
    client.force_login(staff_sales)
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403
    assert client.post(reverse("projects:milestone_done", args=[milestone.pk])).status_code == 403
    assert client.get(project.get_absolute_url()).status_code == 200
    assert "Mark done" not in client.get(project.get_absolute_url()).content.decode()
    assert Milestone.objects.get().done_on is None


def test_a_milestone_is_added_marked_done_and_overdue_shows(client, staff, manager, ally):
    project = _project(manager, ally)
    client.force_login(staff)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    client.post(
        reverse("projects:milestone_add", args=[project.pk]), {"title": "Late step", "due_on": yesterday, "order": 1}
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Late step" in page and "overdue" in page
    milestone = Milestone.objects.get()
    response = client.post(reverse("projects:milestone_done", args=[milestone.pk]), follow=True)
    assert "The milestone was marked done." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.done_by == staff
    confirm = client.get(reverse("projects:milestone_delete", args=[milestone.pk]))
    assert "Delete the milestone" in confirm.content.decode()
    client.post(reverse("projects:milestone_delete", args=[milestone.pk]))
    assert not Milestone.objects.exists()
    # The project's history page says who did what to the project and its milestones.
    history = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert "Late step" in history and "Deleted" in history and "marked done by" in history


def test_linked_interactions_show_on_the_project(client, staff, manager, ally):
    project = _project(manager, ally)
    interaction = InteractionFactory(partner=ally, subject="Design review")
    client.force_login(staff)
    client.post(reverse("projects:interactions", args=[project.pk]), {"interactions": [interaction.pk]})
    assert "Design review" in client.get(project.get_absolute_url()).content.decode()


def test_the_list_filters_and_exports_what_it_shows(client, supervisor, manager, staff, ally):
    _project(manager, ally, title="Sensor study")
    association = PartnerFactory(name="Green Union", family="association", owner=staff)
    _project(manager, association, title="School kits", kind="public_welfare", status="planned")
    client.force_login(supervisor)
    page = client.get(reverse("projects:list"), {"q": "bright"}).content.decode()
    assert "Sensor study" in page and "School kits" not in page
    page = client.get(reverse("projects:list"), {"partner": association.pk, "sort": "-progress"}).content.decode()
    assert "School kits" in page and "Sensor study" not in page
    response = client.get(reverse("projects:export"), {"kind": "public_welfare", "status": "planned"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Green Union" in text and "Bright Labs" not in text


def test_pages_run_a_fixed_number_of_queries(client, staff, manager, ally, django_assert_max_num_queries):
    project = _project(manager, ally)
    project.team.add(staff)
    today = timezone.localdate()
    for i in range(4):
        other = _project(manager, PartnerFactory(family="partner"), title=f"P{i}")
        other.partners.add(ally)
        services.milestone_add(project=project, data={"title": f"M{i}", "due_on": today}, by=manager)
        interaction = InteractionFactory(partner=ally)
        project.interactions.add(interaction)
    client.force_login(staff)
    for url in (
        ally.get_absolute_url(),
        reverse("projects:list"),
        project.get_absolute_url(),
        reverse("projects:interactions", args=[project.pk]),
        reverse("projects:history", args=[project.pk]),
        reverse("dashboard"),
    ):
        with django_assert_max_num_queries(15, info=url):
            assert client.get(url).status_code == 200
    for url in (reverse("projects:partner_projects", args=[ally.pk]), reverse("projects:milestones_due")):
        with django_assert_max_num_queries(6, info=url):
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    due = client.get(reverse("projects:milestones_due"), HTTP_HX_REQUEST="true").content.decode()
    assert "M3" in due and reverse("projects:milestones_due") in client.get(reverse("dashboard")).content.decode()


def test_an_edit_saves_and_a_stale_one_is_refused(client, staff, manager, ally):
    project = _project(manager, ally)
    url = reverse("projects:edit", args=[project.pk])
    client.force_login(staff)
    form = client.get(url).context["form"]
    notes = "Kick-off held.\nNext: the pilot."
    data = _form(ally, staff, progress=60, progress_notes=notes, version=form.fields["version"].initial)
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "The project was saved." in page and "Kick-off held.<br>Next: the pilot." in page
    assert (Project.objects.get().progress, Project.objects.get().progress_notes) == (60, notes)
    response = client.post(url, data | {"progress": 80})
    assert response.status_code == 200 and "Someone else changed this record" in response.content.decode()
    assert Project.objects.get().progress == 60


def test_the_cards_loaded_after_the_page_speak_chinese(client, staff, manager, ally):
    project = _project(manager, ally, progress=20)
    project.team.add(staff)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.milestone_add(project=project, data={"title": "M", "due_on": yesterday}, by=manager)
    staff.profile.language = "zh-hans"
    staff.profile.save()
    client.force_login(staff)
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    card = client.get(reverse("projects:partner_projects", args=[ally.pk]), **hx).content.decode()
    assert "联合项目" in card and "进行中" in card and "已完成 20%" in card
    due = client.get(reverse("projects:milestones_due"), **hx).content.decode()
    assert "逾期" in due
