"""Vocabulary and shares of the scorecard demo history."""

from __future__ import annotations

from decimal import Decimal

from crm.demo import EN, ZH

from ..models import Criterion, Decision

HISTORY_PERIODS = 8  # closed periods before the current one
SECOND_EVALUATOR_SHARE = 0.30
LATE_SHARE = 0.03  # the last period is still open after its due date
NA_SHARE = 0.06  # N/A where a criterion allows it
SECOND_EVALUATOR_DEPARTMENTS = ("quality", "finance")
TEMPLATE_NAME = "Supplier periodic evaluation"
KPI_STORED = Decimal("0.0001")  # CriterionScore.kpi_value has 4 decimal places

# fmt: off
# Evaluator comments on low (1–2) and top (5) ratings, by the criterion's topic ("": any other).
EVIDENCE = {
    EN: {
        "quality": (["Two lots rejected at incoming inspection.", "Repeated cosmetic defects, rework needed."],
                    ["No defects found this quarter.", "Shared their SPC data without being asked."]),
        "price": (["Price increase announced without notice.", "Quotes well above comparable suppliers."],
                  ["Proposed a cost reduction on their own initiative.", "Held prices despite raw material costs."]),
        "service": (["Complaints answered only after reminders.", "No one available during the holidays."],
                    ["Answered every request within a day.", "Sent an engineer on site the next morning."]),
        "cooperation": (["Capacity changes learnt from others.", "Skipped the quarterly review meeting."],
                        ["Joined our improvement workshop.", "Shared their capacity plan early."]),
        "": (["Below what we agreed.", "Needed several reminders."],
             ["Excellent this quarter.", "Well above what we agreed."]),
        "kpi": "ERP on-time delivery report",
    },
    ZH: {
        "quality": (["来料检验有两批次被拒收。", "外观缺陷反复出现，需要返工。"],
                    ["本季度未发现缺陷。", "主动分享 SPC 数据。"]),
        "price": (["未提前通知即涨价。", "报价明显高于同类供应商。"],
                  ["主动提出降本方案。", "原材料上涨仍保持价格稳定。"]),
        "service": (["投诉需多次催促才回复。", "节假日无人对接。"],
                    ["所有需求一天内响应。", "第二天上午即派工程师到现场。"]),
        "cooperation": (["产能变化从他处得知。", "缺席季度评审会。"],
                        ["积极参与我方改善项目。", "提前分享产能计划。"]),
        "": (["未达到约定要求。", "需要多次催促。"], ["本季度表现优秀。", "明显超出约定要求。"]),
        "kpi": "ERP 准时交货率报表",
    },
}
REASONS = {
    EN: {
        Decision.Outcome.CONTINUE: "Result meets expectations: continue cooperation.",
        Decision.Outcome.REWARD: "Excellent result: continue, with an incentive.",
        Decision.Outcome.ADJUST_TERMS: "Below target: adjust terms and follow the corrective action plan.",
        Decision.Outcome.PROBATION: "Unacceptable result: probation until the re-evaluation.",
    },
    ZH: {
        Decision.Outcome.CONTINUE: "绩效符合要求，继续合作。",
        Decision.Outcome.REWARD: "表现优秀，继续合作并给予激励。",
        Decision.Outcome.ADJUST_TERMS: "未达标：调整合作条款，执行纠正措施计划。",
        Decision.Outcome.PROBATION: "结果不合格：进入考察期，直至复评。",
    },
}
# Corrective actions by the weakest criterion (the shipped template's names), else generic.
ACTIONS = {
    EN: {
        "quality": ["Submit an 8D root-cause report", "Hold a joint quality review"],
        "delivery": ["Agree a delivery recovery plan", "Send a weekly shipment status"],
        "price": ["Re-quote against market prices", "Share the cost breakdown"],
        "service": ["Name one contact for our requests", "Answer requests within 48 hours"],
        "": ["Agree an improvement plan", "Hold a monthly review meeting"],
    },
    ZH: {
        "quality": ["提交 8D 根因分析报告", "召开联合质量评审会"],
        "delivery": ["制定交付改善计划", "每周提供发货状态"],
        "price": ["对标市场价格重新报价", "提供成本明细"],
        "service": ["指定专人对接我方需求", "48 小时内响应需求"],
        "": ["制定改善计划", "每月召开评审会"],
    },
}
# What owners answer and what the supervision group notes when it verifies (crm.CorrectiveAction).
ACTION_RESPONSES = {
    EN: ["Done: the supplier's report and the minutes of the review are attached.",
         "Done: the supplier confirmed the new procedure in writing."],
    ZH: ["已完成：附供应商报告及评审会议纪要。", "已完成：供应商已书面确认新流程。"],
}
VERIFICATION_NOTES = {EN: "Checked against the records: effective.", ZH: "已核对记录：整改有效。"}
CANCEL_REASONS = {EN: "Superseded by the new supply agreement.", ZH: "已由新供货协议取代。"}
PLAN_NOTES = {EN: "Re-evaluate at the next periodic evaluation.", ZH: "下次定期评估时复评。"}
INCENTIVE_NOTES = {EN: "Proposed from an A standing.", ZH: "因 A 级评定提出。"}
# fmt: on


def topic(criterion: Criterion | None, vocabulary: dict) -> str:
    """The vocabulary key named in the criterion's name ("quality", "price"...), else ""."""
    name = criterion.name.lower() if criterion else ""
    return next((k for k in vocabulary if k and k != "kpi" and k in name), "")
