"""seed_demo writes with PostgreSQL's per-row foreign-key checks off and checks every key once
at the end (crm.demo_rows.foreign_keys_checked_once, issue #15 §4): a dangling key still stops
it, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from crm.demo_rows import foreign_keys_checked_once
from partners.models import Contact

pytestmark = pytest.mark.django_db


def write_a_contact_of_no_partner() -> None:
    Contact.objects.bulk_create([Contact(partner_id=987654, name="Nobody's contact")])


def test_a_dangling_key_written_while_seeding_stops_it():
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match=r"partners_contact\.partner_id = 987654 points at no row"):
            with transaction.atomic(), foreign_keys_checked_once():
                write_a_contact_of_no_partner()
                with connection.cursor() as cursor:  # the per-row check was off
                    cursor.execute("SHOW session_replication_role")
                    assert cursor.fetchone()[0] == "replica"
        with connection.cursor() as cursor:  # and is on again
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
    else:  # SQLite keeps its own checks, run when constraints are checked (or at commit)
        with pytest.raises(IntegrityError), transaction.atomic(), foreign_keys_checked_once():
            write_a_contact_of_no_partner()
            connection.check_constraints(table_names=["partners_contact"])
    assert not Contact.objects.filter(name="Nobody's contact").exists()


def test_seeding_passes_the_check_of_every_key(seed_demo):
    assert "seed_demo created" in seed_demo(partners=8, interactions=20)
