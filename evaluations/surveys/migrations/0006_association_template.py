"""A starting template for industry associations and other institutions (P4.4, P5.2): they
are surveyed like suppliers, customers and partners. Admins edit it in the admin."""

from django.db import migrations

NAME = "Association satisfaction"
QUESTIONS = [
    (
        "nps",
        "How likely are you to recommend our company to other members of your organisation?",
        "您向贵机构的其他成员推荐我们公司的可能性有多大？",
    ),
    (
        "csat",
        "How satisfied are you with our participation and cooperation?",
        "您对我们的参与和合作满意吗？",
    ),
    (
        "ces",
        "How easy is it to exchange information and work with us?",
        "与我们交流信息和开展合作的便利程度如何？",
    ),
    ("text", "What should we improve?", "我们应该改进什么？"),
]


def create(apps, schema_editor):
    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    Question = apps.get_model("surveys", "Question")
    template, created = SurveyTemplate.objects.get_or_create(name=NAME, defaults={"family": "association"})
    if not created:
        return
    for order, (kind, en, zh) in enumerate(QUESTIONS, start=1):
        Question.objects.create(
            template=template, kind=kind, prompt_en=en, prompt_zh=zh, order=order, required=kind != "text"
        )


def remove(apps, schema_editor):
    """Backwards: only while nothing was sent with it."""
    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    SurveyTemplate.objects.filter(name=NAME, surveys__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_period_dates_required")]

    operations = [migrations.RunPython(create, remove)]
