"""The form of a move through the pipeline (P4.3.1): a note, and the reason when rejecting."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import PlainTextFormMixin

from .models import REASON_MAX, Stage


class PartnershipMoveForm(PlainTextFormMixin, forms.Form):
    """``expected`` is the stage the page showed: the service refuses the move if the partner
    moved since (a colleague's move, a second tab)."""

    expected = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the partner's history (P3.1)."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was decided, agreed or still open: kept in the partner's history."),
    )

    def __init__(self, *args, to_stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Rejecting says why; any other move may say what was decided.
        del self.fields["note" if to_stage == Stage.REJECTED else "reason"]
