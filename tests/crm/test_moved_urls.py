"""Links sent before cases and surveys left /supervision/ keep working (issue #9 §4)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/supervision/s/abc.DEF-123_x/", "/s/abc.DEF-123_x/"),
        ("/supervision/s/abc/?lang=zh-hans", "/s/abc/?lang=zh-hans"),
        ("/supervision/feedback/", "/feedback/"),
        ("/supervision/cases/12/", "/cases/12/"),
        ("/supervision/cases/?state=open&sort=-priority", "/cases/?state=open&sort=-priority"),
        ("/supervision/surveys/results/?family=customer", "/surveys/results/?family=customer"),
    ],
)
def test_old_links_redirect_permanently_with_token_and_query(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_a_form_posted_to_the_old_address_keeps_its_method(client):
    response = client.post("/supervision/feedback/", {"subject": "x"})
    assert response.status_code == 308
    assert response["Location"] == "/feedback/"


def test_the_public_pages_answer_at_their_new_neutral_paths(client, db):
    assert client.get("/feedback/").status_code == 200
    assert client.get("/s/not-a-token/").status_code == 404
    assert client.get("/u/not-a-token/").status_code == 404


def test_other_supervision_paths_are_not_redirected(client):
    assert client.get("/supervision/inspections/").status_code == 404
