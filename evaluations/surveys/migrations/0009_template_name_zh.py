from django.db import migrations, models

# The default templates' Chinese names (supervision 0002 and surveys 0006 created them);
# admins edit them in /admin/.
CHINESE = {
    "Supplier satisfaction": "供应商满意度",
    "Customer satisfaction": "客户满意度",
    "Partner satisfaction": "合作伙伴满意度",
    "Association satisfaction": "行业协会满意度",
}


def name_in_chinese(apps, schema_editor):
    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    for name, name_zh in CHINESE.items():
        SurveyTemplate.objects.filter(name=name, name_zh="").update(name_zh=name_zh)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_survey_title_zh"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveytemplate",
            name="name_zh",
            field=models.CharField(blank=True, max_length=200, verbose_name="name (Chinese)"),
        ),
        migrations.RunPython(name_in_chinese, migrations.RunPython.noop),
    ]
