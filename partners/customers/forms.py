"""Forms of customer care: validate and normalise, then hand cleaned_data to a service."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.concurrency import VersionedFormMixin
from crm.forms import EARLIEST_DATE, DateInput, PlainTextFormMixin, date_in_range, latest_date
from partners.models import Family, Partner, Tag, Tier

from .models import Campaign, Gift, Need

TAG_MAX = 10


def split_tag_names(raw: str, *, limit: int = TAG_MAX) -> list[str]:
    """ "price, 交期，Price" → ["price", "交期"] (commas of both scripts, case-insensitive)."""
    names: list[str] = []
    for part in (raw or "").replace("，", ",").split(","):
        part = " ".join(part.split())
        if not part:
            continue
        if len(part) > 50:
            raise forms.ValidationError(_("Each topic can have at most 50 characters."))
        if part.lower() not in {n.lower() for n in names}:
            names.append(part)
    if len(names) > limit:
        raise forms.ValidationError(_("At most %(max)d topics.") % {"max": limit})
    return names


class NeedForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=500,
        help_text=_("What the need is about, separated by commas (e.g. price, delivery time)."),
    )

    class Meta:
        model = Need
        fields = ["summary", "details", "interaction", "status"]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        # Only this partner's interactions can be the source (the latest 50 are offered).
        recent = partner.interactions.order_by("-occurred_at", "-pk")
        self.fields["interaction"].queryset = partner.interactions.all()
        self.fields["interaction"].choices = [("", "---------")] + [
            (i.pk, f"{timezone.localtime(i.occurred_at):%Y-%m-%d} · {i.subject}") for i in recent[:50]
        ]
        self.fields["interaction"].required = False
        if self.instance.pk:
            self.initial["tag_names"] = ", ".join(t.name for t in self.instance.tags.all())
        self.fields["summary"].widget.attrs["autofocus"] = True

    def clean_tag_names(self) -> list[str]:
        return split_tag_names(self.cleaned_data.get("tag_names", ""))

    def clean_interaction(self):
        interaction = self.cleaned_data.get("interaction")
        if interaction is not None and interaction.partner_id != self.partner.pk:
            raise forms.ValidationError(_("Choose an interaction with this partner."))
        return interaction


class NeedsSummaryForm(forms.Form):
    """The needs summary's period and segment; invalid input falls back to the defaults."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    family = forms.ChoiceField(label=_("Family"), required=False, choices=[("", _("All families")), *Family.choices])
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, choices=[("", _("All tiers")), *Tier.choices]
    )
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _in_range(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        # The bounds of every date filter (far years overflow time-zone arithmetic).
        if value is not None and not date_in_range(value):
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.isoformat(), "last": latest_date().isoformat()}
            )
        return value

    def clean_start(self) -> dt.date | None:
        return self._in_range("start")

    def clean_end(self) -> dt.date | None:
        return self._in_range("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        if start and end and (end - start).days > 3 * 366:
            self.add_error("start", _("Choose a period of at most three years."))
        return cleaned

    def period(self) -> tuple[dt.date, dt.date]:
        """Default: the last 12 months, up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        return start, end


class GiftForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Gift
        fields = ["description", "direction", "contact", "value", "currency", "occasion", "date"]
        widgets = {"date": DateInput()}
        help_texts = {"value": _("Estimated market value. Gifts above the approval threshold need a manager.")}

    def __init__(self, *args, partner: Partner, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = partner.contacts.all()
        if contacts is not None:
            self.fields["contact"].choices = [("", "---------")] + [(c.pk, c.name) for c in contacts]
        if not self.is_bound and not self.initial.get("date"):
            # The instance's empty date is in initial already: setdefault would keep it.
            self.initial["date"] = timezone.localdate()

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + dt.timedelta(days=366):
            raise forms.ValidationError(_("Enter a date within the next year."))
        return date


class GiftDecisionForm(VersionedFormMixin, PlainTextFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why the gift is rejected."))
        return cleaned


class CampaignForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    tiers = forms.TypedMultipleChoiceField(
        label=_("Tiers"),
        required=False,
        coerce=int,
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every tier."),
    )

    class Meta:
        model = Campaign
        fields = ["name", "subject_en", "body_en", "subject_zh", "body_zh", "family", "tiers", "tags", "industry"]
        widgets = {
            "body_en": forms.Textarea(attrs={"rows": 6}),
            "body_zh": forms.Textarea(attrs={"rows": 6}),
            "tags": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "body_en": _("Plain text. {name} is replaced by the contact's name, {company} by the partner's."),
            "tags": _("Partners with any of these tags; none selected: every partner of the family."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["tags"].required = False

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("subject_zh")) != bool(cleaned.get("body_zh")):
            self.add_error("body_zh", _("Give both the Chinese subject and text, or neither."))
        return cleaned
