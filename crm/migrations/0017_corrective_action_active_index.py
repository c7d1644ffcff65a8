"""The corrective-action list's working view (open or responded), by due date, from one
partial index read in order (issue #15 §2)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0016_api_tokens"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='correctiveaction',
            index=models.Index(condition=models.Q(('state__in', ['open', 'responded'])), fields=['due_on', 'id'], name='action_active_due_idx'),
        ),
    ]
