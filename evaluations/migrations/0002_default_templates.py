"""The three shipped scorecard templates (issue #3 §1) and the roles' permissions on them.

- Supplier screening (P4.1.1): qualifications, reputation, product quality, price, service level.
- Supplier periodic (P4.1.1): quality, delivery, price, service, cooperation & communication.
- Partner assessment (P4.3.1): industry position, technical strength, market channels,
  corporate culture.

Weights total 100 in each; the bands are the defaults A ≥ 85, B ≥ 70, C ≥ 50, D < 50. The
strings are English data (admins edit them; a translation of data comes later). Defined
here, not imported from the app, so the migration keeps working when the code changes.
"""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

BANDS = [
    ("A", "Excellent", Decimal(85), "incentive_eligible"),
    ("B", "Good", Decimal(70), "none"),
    ("C", "Needs improvement", Decimal(50), "corrective_action"),
    ("D", "Unacceptable", Decimal(0), "probation_or_exit_review"),
]


def manual(name, weight, description, anchors, allow_na=False):
    return {"name": name, "weight": Decimal(weight), "description": description, "anchors": anchors,
            "kind": "manual_1_5", "allow_na": allow_na}


def kpi(name, weight, description, lo, hi, unit, higher_is_better=True, allow_na=False):
    return {"name": name, "weight": Decimal(weight), "description": description, "anchors": [""] * 5,
            "kind": "kpi", "kpi_min": Decimal(lo), "kpi_max": Decimal(hi), "kpi_unit": unit,
            "kpi_higher_is_better": higher_is_better, "allow_na": allow_na}


TEMPLATES = [
    {
        "name": "Supplier screening",
        "purpose": "screening",
        "family": "supplier",
        "cadence": "yearly",
        "description": "Screening of a candidate supplier before approval (P4.1.1).",
        "criteria": [
            manual("Qualifications", 20, "Business licence, certifications and permits, valid and relevant.", [
                "Missing or expired mandatory qualifications.",
                "Mandatory qualifications only, some close to expiry.",
                "All mandatory qualifications valid.",
                "Mandatory qualifications plus a recognised quality system (e.g. ISO 9001).",
                "Complete, current qualifications and several recognised certifications.",
            ]),
            manual("Reputation", 15, "References, market standing, legal and credit record.", [
                "Serious complaints, disputes or credit problems on record.",
                "Mixed references or unresolved disputes.",
                "Neutral: no significant issues, few references.",
                "Good references from comparable customers.",
                "Excellent references and a strong record in the industry.",
            ]),
            manual("Product quality", 30, "Samples, quality system and test results.", [
                "Samples fail our requirements.",
                "Samples pass only after rework; weak quality control.",
                "Samples meet requirements; basic quality control.",
                "Samples meet requirements consistently; documented quality control.",
                "Samples exceed requirements; mature, audited quality system.",
            ]),
            manual("Price", 20, "Price level and terms compared with the market.", [
                "Well above the market with unfavourable terms.",
                "Above the market.",
                "In line with the market.",
                "Below the market or with favourable terms.",
                "Clearly the best value with favourable terms.",
            ]),
            manual("Service level", 15, "Responsiveness, technical support, after-sales service.", [
                "Unresponsive; no support offered.",
                "Slow responses; limited support.",
                "Acceptable responses and support.",
                "Quick responses and good support.",
                "Outstanding responsiveness and proactive support.",
            ]),
        ],
    },
    {
        "name": "Supplier periodic evaluation",
        "purpose": "periodic",
        "family": "supplier",
        "cadence": "quarterly",
        "description": "Quarterly evaluation of an active supplier; the result decides the next step (P4.1.1).",
        "criteria": [
            manual("Quality", 30, "Quality of delivered goods and services in the period.", [
                "Frequent defects or a serious quality incident.",
                "Repeated defects needing rework or returns.",
                "Occasional minor defects, handled properly.",
                "Very few defects.",
                "No defects; proactive quality improvement.",
            ]),
            kpi("Delivery", 25, "On-time delivery rate in the period.", 80, 100, "%"),
            manual("Price", 20, "Price level, stability and cost cooperation in the period.", [
                "Unjustified increases or well above the market.",
                "Above the market; reluctant to discuss cost.",
                "In line with the market.",
                "Below the market or helped reduce our costs.",
                "Best value and joint cost reductions delivered.",
            ]),
            manual("Service", 15, "Responsiveness and after-sales service in the period.", [
                "Requests ignored or unresolved.",
                "Slow or incomplete responses.",
                "Acceptable responses.",
                "Quick, complete responses.",
                "Outstanding, proactive service.",
            ], allow_na=True),
            manual("Cooperation & communication", 10, "Meetings, information sharing, joint improvement (P4.1.2).", [
                "Hard to reach; withholds information.",
                "Communicates only when pushed.",
                "Communicates as agreed.",
                "Shares plans and capacity openly; joins improvement work.",
                "A true partner: proactive communication and joint projects.",
            ]),
        ],
    },
    {
        "name": "Partner assessment",
        "purpose": "partner_assessment",
        "family": "partner",
        "cadence": "yearly",
        "description": "Full assessment of a potential strategic, technology or market partner (P4.3.1).",
        "criteria": [
            manual("Industry position", 25, "Market share, brand and influence in the industry.", [
                "Marginal player with no recognition.",
                "Small player with limited recognition.",
                "Established player in its niche.",
                "Leading player in its segment.",
                "Industry leader shaping the market.",
            ]),
            manual("Technical strength", 30, "R&D capacity, patents, technical team.", [
                "No relevant technical capacity.",
                "Limited capacity, depends on others.",
                "Solid capacity for current needs.",
                "Strong R&D with relevant patents.",
                "Outstanding, recognised technical leadership.",
            ]),
            manual("Market channels", 25, "Reach, channels and customers that complement ours.", [
                "No useful channels.",
                "Few channels, little overlap with our needs.",
                "Some complementary channels.",
                "Strong complementary channels.",
                "Extensive channels opening new markets for us.",
            ]),
            manual("Corporate culture", 20, "Values, integrity and fit with how we work (P3).", [
                "Values conflict with ours.",
                "Significant differences in values or practices.",
                "Compatible values.",
                "Good fit; shared commitment to integrity and mutual benefit.",
                "Excellent fit; a partner we would build with long-term.",
            ]),
        ],
    },
]

# Everyone with a role reads scorecards; managers configure templates (issue #3 §1).
READ_MODELS = ["scorecardtemplate", "criterion", "standingband", "evaluation", "evaluatorsheet", "criterionscore",
               "decision", "correctiveactionplan", "correctiveaction", "incentive", "screeningoverride",
               "partnerscore", "evaluationamendment"]
MANAGER_CONFIG = ["scorecardtemplate", "criterion", "standingband"]


def create_templates(apps, schema_editor):
    Template = apps.get_model("evaluations", "ScorecardTemplate")
    Criterion = apps.get_model("evaluations", "Criterion")
    Band = apps.get_model("evaluations", "StandingBand")
    for spec in TEMPLATES:
        if Template.objects.filter(name=spec["name"]).exists():
            continue
        template = Template.objects.create(
            name=spec["name"], purpose=spec["purpose"], family=spec["family"], cadence=spec["cadence"],
            description=spec["description"], pass_threshold=Decimal(70), min_scored_weight=Decimal(60),
            recency_periods=4,
        )
        assert sum(c["weight"] for c in spec["criteria"]) == 100, spec["name"]
        for order, c in enumerate(spec["criteria"], start=1):
            anchors = c["anchors"]
            Criterion.objects.create(
                template=template, order=order, name=c["name"], description=c["description"],
                weight=c["weight"], kind=c["kind"], allow_na=c["allow_na"],
                anchor_1=anchors[0], anchor_2=anchors[1], anchor_3=anchors[2], anchor_4=anchors[3],
                anchor_5=anchors[4], kpi_min=c.get("kpi_min"), kpi_max=c.get("kpi_max"),
                kpi_unit=c.get("kpi_unit", ""), kpi_higher_is_better=c.get("kpi_higher_is_better", True),
            )
        for code, label, lower, consequence in BANDS:
            Band.objects.create(template=template, code=code, label=label, lower_bound=lower, consequence=consequence)


def grant_permissions(apps, schema_editor):
    app_config = apps.get_app_config("evaluations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="evaluations")
    view = perms.filter(codename__in=[f"view_{m}" for m in READ_MODELS])
    config = perms.filter(codename__in=[f"{a}_{m}" for a in ("add", "change") for m in MANAGER_CONFIG])
    for role in ("Staff", "Manager", "Supervision"):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*view)
        if role == "Manager":
            group.permissions.add(*config)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("partners", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(create_templates, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
