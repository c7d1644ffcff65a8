"""The timeline reads well (issue #12, small things): a long text is collapsed behind "Show
all", and a done follow-up is ticked, not a struck-through empty box."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import FollowUpFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_a_long_summary_is_collapsed_and_a_short_one_is_not(client, staff, supplier):
    long_text = "Price review of the castings. " * 170  # about 5,000 characters
    InteractionFactory(partner=supplier, author=staff, subject="Long one", summary=long_text)
    InteractionFactory(partner=supplier, author=staff, subject="Short one", summary="Called, all fine.")
    client.force_login(staff)
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert page.count('<details class="small long-text">') == 1
    summary = page.split("<summary>", 1)[1].split("</summary>", 1)[0]
    assert len(summary) < 400 and "Show all" in summary
    assert long_text.strip()[:100] in page  # the whole text is there, behind the click
    assert '<div class="small">Called, all fine.</div>' in page


def test_a_done_follow_up_is_ticked_and_an_open_one_is_a_box(client, staff, supplier):
    interaction = InteractionFactory(partner=supplier, author=staff, subject="Meeting")
    FollowUpFactory(partner=supplier, owner=staff, interaction=interaction, description="Send the quote")
    FollowUpFactory(
        partner=supplier, owner=staff, interaction=interaction, description="Book the visit", done_at=timezone.now()
    )
    client.force_login(staff)
    page = client.get(supplier.get_absolute_url()).content.decode()
    done = page.split("followup-done", 1)[1].split("</div>", 1)[0]
    assert "☑" in done and "Book the visit" in done and "done " in done
    assert "line-through" not in page
    assert '<div class="small mt-1 followup"><span aria-hidden="true">☐</span> Send the quote' in page
