"""The timeline reads well (issue #12, small things): a long text is collapsed behind "Show
all", and a done follow-up is ticked, not a struck-through empty box."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory, UserFactory

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


def test_the_timeline_pages_to_older_and_newer_interactions_without_counting_them(
    client, staff, supplier, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(41):  # two full pages of 20 and one more
        InteractionFactory(
            partner=supplier, author=staff, subject=f"Visit {i:02d}", occurred_at=now - dt.timedelta(hours=i)
        )
    client.force_login(staff)
    url = supplier.get_absolute_url()

    def subjects(html: str) -> list[str]:
        return [f"Visit {i:02d}" for i in range(41) if f"Visit {i:02d}" in html]

    first = client.get(url).content.decode()
    assert subjects(first) == [f"Visit {i:02d}" for i in range(20)]
    assert "?page=2" in first and "?page=0" not in first  # older only
    second = client.get(url + "?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline").content.decode()
    assert subjects(second) == [f"Visit {i:02d}" for i in range(20, 40)]
    assert "?page=3" in second and "?page=1" in second
    third = client.get(url + "?page=3", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline").content.decode()
    assert subjects(third) == ["Visit 40"] and "?page=4" not in third
    # A page past the end, or not a number, is the first page.
    for page in ("99", "abc", "-1"):
        assert subjects(client.get(f"{url}?page={page}").content.decode()) == subjects(first)
    # Reading the timeline never counts the partner's interactions.
    with django_assert_max_num_queries(15) as captured:
        client.get(url)
    assert not [q for q in captured.captured_queries if "COUNT(*)" in q["sql"] and "partners_interaction" in q["sql"]]


def test_an_entry_shows_its_people_and_follow_ups_in_order(client, staff, supplier):
    """Each entry's participants (ours, by user), contacts (theirs, the primary first, then by
    name) and follow-ups (by due date, a done one dated in the reader's time zone)."""
    first = UserFactory(username="a-first", first_name="Mei", last_name="Chen")
    second = UserFactory(username="b-second", first_name="", last_name="")  # no name: the username
    zoe = ContactFactory(partner=supplier, name="Zoe Primary", is_primary=True)
    adam = ContactFactory(partner=supplier, name="Adam Other")
    interaction = InteractionFactory(partner=supplier, author=staff, subject="Quarterly review")
    interaction.participants.set([second, first])
    interaction.contacts.set([adam, zoe])
    FollowUpFactory(
        partner=supplier, owner=first, interaction=interaction, description="Later one", due_on=dt.date(2027, 3, 9)
    )
    FollowUpFactory(
        partner=supplier,
        owner=second,
        interaction=interaction,
        description="Done one",
        due_on=dt.date(2027, 1, 5),
        done_at=dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC),  # 1 December in Shanghai
    )
    InteractionFactory(partner=supplier, author=staff, subject="Nobody else")  # empty lists
    client.force_login(staff)
    page = client.get(supplier.get_absolute_url()).content.decode()
    people = (
        "Mei Chen, b-second; Zoe Primary, Adam Other"
        if first.pk < second.pk
        else "b-second, Mei Chen; Zoe Primary, Adam Other"
    )
    assert people in page
    entry = page.split("Quarterly review", 1)[1]
    assert entry.index("Done one") < entry.index("Later one")
    done = entry.split("followup-done", 1)[1].split("</div>", 1)[0]
    assert "2026-12-01" in done, done
    assert "Nobody else" in page
