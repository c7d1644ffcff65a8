"""The projects app's demo data (partners/projects/demo.py): projects of both families with
milestones done, due and overdue; a second run adds nothing."""

from __future__ import annotations

from django.utils import timezone

from partners.projects.models import Milestone, Project


def test_demo_projects_have_every_part_and_a_second_run_adds_nothing(seed_demo):
    seed_demo()
    counts = (Project.objects.count(), Milestone.objects.count())
    assert all(counts), counts
    assert set(Project.objects.values_list("partners__family", flat=True)) == {"partner", "association"}
    today = timezone.localdate()
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    assert Milestone.objects.filter(done_on__isnull=True, due_on__lt=today).exists()
    assert Milestone.objects.filter(done_on__isnull=True, due_on__gte=today).exists()
    seed_demo()
    assert (Project.objects.count(), Milestone.objects.count()) == counts
