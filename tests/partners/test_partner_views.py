"""Partner registry through the browser's eyes: create, edit, archive, lists, export."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.urls import reverse

from partners.models import Partner
from tests.edit_forms import post_edit
from tests.factories import ContactFactory, PartnerFactory


def test_staff_creates_supplier_in_own_department(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("partners:create", args=["supplier"]),
        {
            "name": "  Shenzhen   Bright Tech ",
            "kind": "distributor",
            "status": "candidate",
            "tier": "2",
            "tag_names": "electronics, 华南, Electronics",
            "products_services": "LED panels",
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response["Location"] == partner.get_absolute_url()
    assert partner.name == "Shenzhen Bright Tech"
    assert partner.owner == staff
    assert partner.department.code == "procurement"
    assert sorted(t.name for t in partner.tags.all()) == ["electronics", "华南"]
    page = client.get(partner.get_absolute_url())
    assert "Shenzhen Bright Tech was added." in page.content.decode()
    assert "LED panels" in page.content.decode()


def test_duplicate_name_in_family_is_refused_with_message(client, staff, supplier):
    client.force_login(staff)
    response = client.post(
        reverse("partners:create", args=["supplier"]),
        {"name": "ACME components", "kind": "manufacturer", "status": "active", "tier": "3", "region": "Jiangsu"},
    )
    assert response.status_code == 200
    assert "A partner with this name already exists in this family." in response.content.decode()
    assert 'value="Jiangsu"' in response.content.decode()  # the rest of the form is kept
    assert Partner.objects.count() == 1


def test_same_name_allowed_in_another_family(client, staff, supplier):
    client.force_login(staff)
    response = client.post(
        reverse("partners:create", args=["customer"]),
        {"name": "Acme Components", "kind": "company", "status": "active", "tier": "3"},
    )
    assert response.status_code == 302
    assert Partner.objects.filter(name="Acme Components").count() == 2


def test_bad_input_gives_messages_and_saves_nothing(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("partners:create", args=["supplier"]),
        {
            "name": "x" * 201,
            "kind": "manufacturer",
            "status": "active",
            "tier": "3",
            "website": "not a url",
            "customs": "<script>alert(1)</script>",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in body
    assert "Enter a valid URL." in body
    # Markup is kept as typed and escaped when shown again, never rendered.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert not Partner.objects.exists()


def test_missing_fields_are_reported(client, staff):
    client.force_login(staff)
    response = client.post(reverse("partners:create", args=["customer"]), {})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") >= 2
    assert not Partner.objects.exists()


def test_status_transition_outside_lifecycle_is_refused(client, staff):
    partner = PartnerFactory(owner=staff, status="candidate")
    client.force_login(staff)
    response = post_edit(
        client,
        reverse("partners:edit", args=[partner.pk]),
        {"name": partner.name, "kind": partner.kind, "status": "probation", "tier": "3"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    partner.refresh_from_db()
    assert partner.status == "candidate"


def test_edit_records_history_with_who_and_what(client, staff, supplier):
    client.force_login(staff)
    post_edit(
        client,
        reverse("partners:edit", args=[supplier.pk]),
        {"name": supplier.name, "kind": supplier.kind, "status": "probation", "tier": "1", "tag_names": "iso"},
    )
    supplier.refresh_from_db()
    assert supplier.status == "probation"
    page = client.get(reverse("partners:history", args=[supplier.pk])).content.decode()
    assert "Probation" in page and "Active" in page
    assert staff.get_full_name() in page
    last = supplier.history.first()
    assert last.history_user == staff


def test_archive_needs_confirmation_then_hides_from_list(client, manager, supplier):
    client.force_login(manager)
    confirm = client.get(reverse("partners:archive", args=[supplier.pk]))
    assert "Archive Acme Components?" in confirm.content.decode()
    supplier.refresh_from_db()
    assert supplier.archived_at is None
    client.post(reverse("partners:archive", args=[supplier.pk]))
    supplier.refresh_from_db()
    assert supplier.archived_at is not None
    assert list(client.get(reverse("partners:list")).context["page"].object_list) == []
    archived = client.get(reverse("partners:list") + "?archived=on").context["page"].object_list
    assert [p.name for p in archived] == ["Acme Components"]
    client.post(reverse("partners:restore", args=[supplier.pk]))
    supplier.refresh_from_db()
    assert supplier.archived_at is None


def test_list_search_matches_name_contact_and_tag(client, staff):
    a = PartnerFactory(name="Alpha Metals", owner=staff)
    b = PartnerFactory(name="Beta Plastics", owner=staff)
    c = PartnerFactory(name="Gamma Glass", owner=staff)
    ContactFactory(partner=b, name="Wang Fang")
    c.tags.create(name="fragile")
    client.force_login(staff)
    url = reverse("partners:list")
    assert [p.name for p in client.get(url, {"q": "alpha"}).context["page"].object_list] == [a.name]
    assert [p.name for p in client.get(url, {"q": "wang"}).context["page"].object_list] == [b.name]
    assert [p.name for p in client.get(url, {"q": "fragile"}).context["page"].object_list] == [c.name]


def test_list_filters_and_sorts_by_last_contact(client, staff):
    from django.utils import timezone

    now = timezone.now()
    old = PartnerFactory(name="Old", owner=staff, last_contacted_at=now - dt.timedelta(days=90))
    recent = PartnerFactory(name="Recent", owner=staff, last_contacted_at=now - dt.timedelta(days=2))
    never = PartnerFactory(name="Never", owner=staff)
    client.force_login(staff)
    url = reverse("partners:family_list", args=["supplier"])
    names = [p.name for p in client.get(url, {"not_contacted_days": 30}).context["page"].object_list]
    assert names == ["Never", "Old"]
    names = [p.name for p in client.get(url, {"sort": "-last_contact"}).context["page"].object_list]
    assert names == [recent.name, old.name, never.name]


def test_empty_list_tells_what_to_do(client, staff):
    client.force_login(staff)
    body = client.get(reverse("partners:family_list", args=["association"])).content.decode()
    assert "No partners here yet" in body
    assert reverse("partners:create", args=["association"]) in body


def test_unknown_family_is_404(client, staff):
    client.force_login(staff)
    assert client.get("/partners/family/martians/").status_code == 404


def test_csv_export_follows_filter_and_neutralises_formulas(client, staff):
    PartnerFactory(name='=HYPERLINK("http://evil")', owner=staff, region="+86 Shanghai")
    PartnerFactory(name="Plain Partner", owner=staff, family="customer", kind="company")
    client.force_login(staff)
    response = client.get(reverse("partners:family_export", args=["supplier"]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Name"
    assert len(rows) == 2  # header + the one supplier, not the customer
    assert rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][8] == "'+86 Shanghai"


def test_pagination(client, staff):
    PartnerFactory.create_batch(55, owner=staff)
    client.force_login(staff)
    first = client.get(reverse("partners:list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("partners:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert client.get(reverse("partners:list"), {"page": "zzz"}).status_code == 200


def test_staff_cannot_assign_owner_but_manager_can_within_department(client, staff, manager, staff_sales, supplier):
    client.force_login(staff)
    form = client.get(reverse("partners:edit", args=[supplier.pk])).context["form"]
    assert "owner" not in form.fields
    client.force_login(manager)
    form = client.get(reverse("partners:edit", args=[supplier.pk])).context["form"]
    assert set(form.fields["owner"].queryset) == {staff, manager}
    response = post_edit(
        client,
        reverse("partners:edit", args=[supplier.pk]),
        {"name": supplier.name, "kind": supplier.kind, "status": "active", "tier": "3", "owner": staff_sales.pk},
    )
    assert "Select a valid choice" in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.owner == staff


def test_staff_cannot_edit_other_departments_partner(client, staff, sales_customer):
    client.force_login(staff)
    assert client.get(reverse("partners:edit", args=[sales_customer.pk])).status_code == 403
    response = client.post(
        reverse("partners:edit", args=[sales_customer.pk]),
        {"name": "Hijacked", "kind": "company", "status": "active", "tier": "3"},
    )
    assert response.status_code == 403
    sales_customer.refresh_from_db()
    assert sales_customer.name == "Blue Ocean Retail"


def test_supervisor_reads_but_cannot_log(client, supervisor, supplier):
    client.force_login(supervisor)
    page = client.get(supplier.get_absolute_url())
    assert page.status_code == 200
    assert "Log an interaction" not in page.content.decode()
    assert client.get(reverse("partners:interaction_create", args=[supplier.pk])).status_code == 403


def test_filter_selects_start_empty_so_changing_one_does_not_filter_by_another(client, staff):
    PartnerFactory(owner=staff, tier=3)
    client.force_login(staff)
    body = client.get(reverse("partners:list")).content.decode()
    for name in ("status", "tier", "owner", "department", "tag", "sort"):
        select = body.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert '<option value="" selected>' in select, name
        assert select.count(" selected>") == 1, name
    page = client.get(reverse("partners:list"), {"tier": "3", "status": ""}).context["page"]
    assert len(page.object_list) == 1
    assert len(client.get(reverse("partners:list"), {"tier": "1"}).context["page"].object_list) == 0


def test_new_supplier_starts_as_candidate_and_needs_screening_to_become_active(client, staff, manager):
    client.force_login(staff)
    form = client.get(reverse("partners:create", args=["supplier"])).context["form"]
    assert [v for v, _label in form.fields["status"].choices] == ["candidate"]
    client.post(
        reverse("partners:create", args=["supplier"]),
        {"name": "Fresh Supplier", "kind": "manufacturer", "status": "candidate", "tier": "3"},
    )
    partner = Partner.objects.get(name="Fresh Supplier")
    data = {"name": partner.name, "kind": partner.kind, "status": "active", "tier": "3"}
    response = post_edit(client, reverse("partners:edit", args=[partner.pk]), data)
    assert "has not passed screening" in response.content.decode()
    partner.refresh_from_db()
    assert partner.status == "candidate"
    from evaluations.services import screening_override

    screening_override(partner=partner, by=manager, reason="Sole source for this part; audit scheduled")
    assert post_edit(client, reverse("partners:edit", args=[partner.pk]), data).status_code == 302
    partner.refresh_from_db()
    assert partner.status == "active"


def test_customers_can_be_created_active(client, staff_sales):
    client.force_login(staff_sales)
    form = client.get(reverse("partners:create", args=["customer"])).context["form"]
    assert [v for v, _label in form.fields["status"].choices] == ["candidate", "active"]


def test_history_shows_the_newest_changes_of_a_long_record(staff, supplier):
    """Each kind of record shows its newest changes, up to a limit (200 on the page): a partner
    with many interactions shows the ones logged last, and a change diffed against the record
    before it even when that record is older than the limit reaches."""
    from partners.selectors import partner_history
    from tests.factories import InteractionFactory

    interactions = [InteractionFactory(partner=supplier, author=staff, subject=f"Call {n}") for n in range(8)]
    first = interactions[0]
    first.subject = "Call 0, minutes corrected"
    first.save()
    entries = [e for e in partner_history(partner=supplier, limit=5) if e.model_label == "Interaction"]
    assert [(e.action, e.object_label) for e in entries] == [
        ("~", "Call 0, minutes corrected"),
        ("+", "Call 7"),
        ("+", "Call 6"),
        ("+", "Call 5"),
        ("+", "Call 4"),
    ]
    assert ("subject", "Call 0", "Call 0, minutes corrected") in entries[0].changes
