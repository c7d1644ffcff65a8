"""The scorecards' own corrective actions are gone: 0003 copied them (and their history) into
the kernel's ``crm.CorrectiveAction``. The plans' re-evaluation date gets an index (the
``action_plans_due`` scan)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_corrective_actions_to_kernel"),
    ]

    operations = [
        migrations.DeleteModel(name="CorrectiveAction"),
        migrations.DeleteModel(name="HistoricalCorrectiveAction"),
        migrations.AddIndex(
            model_name="correctiveactionplan",
            index=models.Index(fields=["re_evaluation_on"], name="plan_re_evaluation_idx"),
        ),
    ]
