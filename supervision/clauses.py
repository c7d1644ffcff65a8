"""The policy's clauses as audit criteria (P5.1: "the P3 principles and P4 clauses serve as
audit criteria"), in both languages, from ../shared/POLICY.md.

Clause ids are stable (P4.1.1 …): checklists, findings and the coverage page refer to them.
A plan's checklist is seeded from ``CLAUSES`` and then belongs to the plan (supervision edits
it there, with history), so a later change here never rewrites an inspection already made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Clause:
    code: str
    title_en: str
    title_zh: str
    check_en: str  # what an inspector checks, seeded as the checklist item
    check_zh: str

    def title(self, language: str | None = None) -> str:
        return self.title_zh if (language or get_language() or "").lower().startswith("zh") else self.title_en

    def label(self, language: str | None = None) -> str:
        return f"{self.code} {self.title(language)}"


CLAUSES: tuple[Clause, ...] = (
    Clause(
        "P3.1",
        "Integrity",
        "诚信",
        "Commitments made to the partner are tracked until done; gifts are recorded with value and approval.",
        "对商务伙伴的承诺跟踪至完成；礼品已登记价值并经审批。",
    ),
    Clause(
        "P3.2",
        "Mutual benefit",
        "互利共赢",
        "The relationship is seen both ways: our rating of the partner and the partner's satisfaction with us.",
        "双向评价：我方对商务伙伴的评价及商务伙伴对我方的满意度均有记录。",
    ),
    Clause(
        "P3.3",
        "Smooth communication",
        "沟通顺畅",
        "Every contact is logged; follow-ups have an owner and a due date and are done on time.",
        "每次往来均有记录；跟进事项有负责人和截止日期，并按时完成。",
    ),
    Clause(
        "P3.4",
        "Respect and inclusion",
        "尊重包容",
        "The partner's preferences (language, channel, customs) are recorded and respected.",
        "商务伙伴的偏好（语言、渠道、习俗）已记录并得到尊重。",
    ),
    Clause(
        "P4.1.1",
        "Supplier selection and evaluation",
        "供应商筛选与评估",
        "Suppliers were screened before approval and evaluated for every period; decisions are recorded.",
        "供应商在批准前经过筛选，并按期完成定期评估；决定已记录。",
    ),
    Clause(
        "P4.1.2",
        "Supplier communication and coordination",
        "与供应商的沟通与协调",
        "Regular meetings are logged; supplier issues got a response and resolution within the deadline.",
        "定期会议有记录；供应商提出的问题在时限内得到回应和解决（快速响应机制）。",
    ),
    Clause(
        "P4.1.3",
        "Supplier incentives and feedback",
        "供应商激励与反馈",
        "Incentives follow evaluation results; supplier feedback is collected and acted upon.",
        "激励与评估结果挂钩；定期收集供应商反馈并落实改进。",
    ),
    Clause(
        "P4.2.1",
        "Customer needs",
        "客户需求",
        "Customer needs and preferences are recorded, tagged and summarised periodically.",
        "客户需求与偏好已记录、分类，并定期汇总分析。",
    ),
    Clause(
        "P4.2.2",
        "Customer service and support",
        "客户服务与支持",
        "Service cases were answered and resolved within their deadlines, or escalated.",
        "服务工单在时限内响应和解决，或已升级处理。",
    ),
    Clause(
        "P4.2.3",
        "Customer care and loyalty",
        "客户关怀与忠诚度",
        "Care (greetings, gifts) reaches important customers; complaints and suggestions are handled promptly.",
        "重要客户得到关怀（问候、礼品）；投诉和建议得到及时处理。",
    ),
    Clause(
        "P4.3.1",
        "Partner selection and matching",
        "合作伙伴的选择与匹配",
        "Potential partners were assessed on industry position, technical strength, channels and culture.",
        "对潜在合作伙伴的行业地位、技术实力、市场渠道和企业文化进行了全面评估。",
    ),
    Clause(
        "P4.3.2",
        "Partner agreements and execution",
        "合作协议与执行",
        "Agreements state rights, obligations, scope and term; execution is reviewed on schedule.",
        "合作协议明确权利和义务、范围和合作期限；按期进行执行情况检查。",
    ),
    Clause(
        "P4.3.3",
        "Partner communication and synergy",
        "与合作伙伴的沟通与协同",
        "Business news and plans are exchanged regularly; joint projects are logged.",
        "定期交流业务信息和计划；联合项目有记录。",
    ),
    Clause(
        "P4.4.1",
        "Industry activities",
        "行业活动",
        "Attendance at association meetings, seminars and trainings is logged with takeaways.",
        "参加行业协会会议、研讨会和培训有记录及收获。",
    ),
    Clause(
        "P4.4.2",
        "Communication with associations and institutions",
        "与协会及机构的沟通与合作",
        "Channels to associations, chambers of commerce and research institutes are kept active.",
        "与行业协会、商会和科研机构保持沟通渠道畅通。",
    ),
    Clause(
        "P4.4.3",
        "Information sharing and feedback",
        "信息共享与反馈",
        "Industry information and research reports are shared with the relevant departments.",
        "行业信息和研究报告已分享给相关内部部门。",
    ),
)

BY_CODE = {clause.code: clause for clause in CLAUSES}


def clause_choices() -> list[tuple[str, str]]:
    """For a form field, in the reader's language (call it per request)."""
    return [(clause.code, clause.label()) for clause in CLAUSES]


def clause_label(code: str) -> str:
    clause = BY_CODE.get(code)
    return clause.label() if clause else code
