"""Periods become date ranges (issue #11 §4), step 3 of 3: the dates are required, the
free text goes (0004 kept what could not be read in ``period_note``), and the after-case
survey's uniqueness, the checks and the indexes use the dates.

Before the text goes it becomes optional, so migrating backwards can add it again to rows
that exist (0004 backwards then fills it).
"""

from django.db import migrations, models

MODELS = ["survey", "surveyinvitation", "surveyresponse"]


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0004_period_dates_from_text'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='survey',
            name='after_case_survey_once',
        ),
        migrations.RemoveIndex(
            model_name='surveyinvitation',
            name='invitation_period_idx',
        ),
        migrations.RemoveIndex(
            model_name='surveyresponse',
            name='response_period_idx',
        ),
        *[
            migrations.AlterField(
                model_name=model_name,
                name='period',
                field=models.CharField(blank=True, default='', max_length=20, verbose_name='period'),
            )
            for model_name in MODELS
        ],
        migrations.RemoveField(
            model_name='survey',
            name='period',
        ),
        migrations.RemoveField(
            model_name='surveyinvitation',
            name='period',
        ),
        migrations.RemoveField(
            model_name='surveyresponse',
            name='period',
        ),
        migrations.AlterField(
            model_name='survey',
            name='period_end',
            field=models.DateField(verbose_name='period end'),
        ),
        migrations.AlterField(
            model_name='survey',
            name='period_start',
            field=models.DateField(verbose_name='period start'),
        ),
        migrations.AlterField(
            model_name='surveyinvitation',
            name='period_end',
            field=models.DateField(verbose_name='period end'),
        ),
        migrations.AlterField(
            model_name='surveyinvitation',
            name='period_start',
            field=models.DateField(verbose_name='period start'),
        ),
        migrations.AlterField(
            model_name='surveyresponse',
            name='period_end',
            field=models.DateField(verbose_name='period end'),
        ),
        migrations.AlterField(
            model_name='surveyresponse',
            name='period_start',
            field=models.DateField(verbose_name='period start'),
        ),
        migrations.AddIndex(
            model_name='surveyinvitation',
            index=models.Index(fields=['period_start', 'family'], name='invitation_period_start_idx'),
        ),
        migrations.AddIndex(
            model_name='surveyresponse',
            index=models.Index(fields=['period_start', 'family'], name='response_period_start_idx'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.UniqueConstraint(condition=models.Q(('after_case', True)), fields=('template', 'family', 'period_kind', 'period_start'), name='after_case_survey_once'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start')), ('period_kind__in', ['month', 'quarter', 'year'])), name='survey_period_valid'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start')), ('period_kind__in', ['month', 'quarter', 'year'])), name='invitation_period_valid'),
        ),
        migrations.AddConstraint(
            model_name='surveyresponse',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start')), ('period_kind__in', ['month', 'quarter', 'year'])), name='response_period_valid'),
        ),
    ]
