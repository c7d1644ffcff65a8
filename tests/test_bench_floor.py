"""The bench's floor page (bench/floor.py): the bare page every page is measured against must
stay what the bench prints it as, a signed-in 50-row table with one query of its own."""

import pytest
from django.urls import reverse

from bench.common import times_floor
from tests.factories import PartnerFactory


@pytest.mark.urls("bench.urls")
def test_floor_is_a_signed_in_50_row_table_with_one_query_of_its_own(client, staff, django_assert_num_queries):
    url = reverse("bench_floor")
    assert client.get(url).status_code == 302  # signed in only, like every page it stands beside
    owner = PartnerFactory().owner
    PartnerFactory.create_batch(50, owner=owner)
    client.force_login(staff)
    client.get(url)  # the session's first request may save it
    with django_assert_num_queries(3):  # the session, the user with their profile, the partners
        html = client.get(url).content.decode()
    assert html.count("<tr>") == 51  # the header and 50 partners, first by id
    assert "Partner" in html and "bootstrap.min.css" in html
    assert times_floor(30.0, 7.5) == "4.0×" and times_floor(1.0, 0) == "–"
