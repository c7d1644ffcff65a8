"""Three starting templates (supplier, customer, partner satisfaction; P4.1.3, P4.2.3, P5.2).
Admins edit them or add others in the admin."""

from django.db import migrations

IMPROVE = ("What should we improve?", "我们应该改进什么？")
TEMPLATES = {
    ("Supplier satisfaction", "supplier"): [
        (
            "nps",
            "How likely are you to recommend working with us to another supplier?",
            "您向其他供应商推荐与我们合作的可能性有多大？",
        ),
        ("csat", "Overall, how satisfied are you with our cooperation?", "总体而言，您对我们的合作满意吗？"),
        (
            "ces",
            "How easy is it to work with us (orders, payments, communication)?",
            "与我们合作（订单、付款、沟通）的便利程度如何？",
        ),
        ("text", *IMPROVE),
    ],
    ("Customer satisfaction", "customer"): [
        (
            "nps",
            "How likely are you to recommend our company to a friend or colleague?",
            "您向朋友或同事推荐我们公司的可能性有多大？",
        ),
        ("csat", "How satisfied are you with our products and service?", "您对我们的产品和服务满意吗？"),
        ("ces", "How easy was it to get what you needed from us?", "从我们这里获得所需帮助的便利程度如何？"),
        ("text", *IMPROVE),
    ],
    ("Partner satisfaction", "partner"): [
        ("nps", "How likely are you to recommend partnering with us?", "您向他人推荐与我们合作的可能性有多大？"),
        ("csat", "How satisfied are you with our partnership?", "您对我们的合作关系满意吗？"),
        ("text", *IMPROVE),
    ],
}


def create(apps, schema_editor):
    SurveyTemplate = apps.get_model("supervision", "SurveyTemplate")
    Question = apps.get_model("supervision", "Question")
    for (name, family), questions in TEMPLATES.items():
        template, created = SurveyTemplate.objects.get_or_create(name=name, defaults={"family": family})
        if not created:
            continue
        for order, (kind, en, zh) in enumerate(questions, start=1):
            Question.objects.create(
                template=template, kind=kind, prompt_en=en, prompt_zh=zh, order=order, required=kind != "text"
            )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
