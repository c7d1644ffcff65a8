"""Copy the registry card's membership (level and expiry date, P4.4) into ``Membership`` rows.

Decision: the association's membership now lives in the associations app, with its fee, term
and renewal reminder. Each association whose card had a level or an expiry date gets one
membership with them (start unknown). The card's two fields are left in place and no longer
edited by this app: dropping them is a change to the registry (a migration of ``partners``), left
to a follow-up so this app does not migrate a model it does not own. Reversible: the reverse
deletes the copied rows only (those created by this migration carry its note)."""

from django.db import migrations

NOTE = "Copied from the registry card (migration 0002)."


def copy_forward(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    Membership = apps.get_model("associations", "Membership")
    rows = []
    for partner in Partner.objects.filter(family="association").exclude(
        membership_level="", membership_expires_on__isnull=True
    ):
        rows.append(
            Membership(
                association_id=partner.pk,
                level=partner.membership_level or "—",
                ends_on=partner.membership_expires_on,
                notes=NOTE,
            )
        )
    Membership.objects.bulk_create(rows)


def copy_backward(apps, schema_editor):
    apps.get_model("associations", "Membership").objects.filter(notes=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("associations", "0001_initial")]

    operations = [migrations.RunPython(copy_forward, copy_backward)]
