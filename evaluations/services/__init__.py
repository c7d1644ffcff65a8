"""Writes for scorecards. Each service is atomic: it validates everything first, so bad input
raises ``ValidationError`` (or ``PermissionDenied``) with nothing saved.

Amendments and decisions
    Closing an evaluation increments ``Evaluation.revision`` and freezes the snapshot.
    ``evaluation_amend`` (a manager, with a reason) records an ``EvaluationAmendment`` holding
    the previous snapshot and result, reopens the evaluation and unlocks the chosen sheets;
    closing again freezes a new snapshot under the next revision. A ``Decision`` is unique
    per (evaluation, revision): one decision per close, and the decisions about earlier
    revisions stay as history. While reopened, an evaluation leaves the overall score.
"""

from .evaluations import (
    EVALUATION_GRACE_DAYS,
    ScoreData,
    evaluation_amend,
    evaluation_close,
    evaluation_open,
    partner_score_refresh,
    sheet_save,
    sheet_submit,
)
from .outcomes import (
    ActionData,
    decision_record,
    incentive_approve,
    incentive_propose,
    incentive_reject,
    screening_override,
    supplier_activate,
)
from .templates import template_problems

__all__ = [
    "EVALUATION_GRACE_DAYS",
    "ActionData",
    "ScoreData",
    "decision_record",
    "evaluation_amend",
    "evaluation_close",
    "evaluation_open",
    "incentive_approve",
    "incentive_propose",
    "incentive_reject",
    "partner_score_refresh",
    "screening_override",
    "sheet_save",
    "sheet_submit",
    "supplier_activate",
    "template_problems",
]
