from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from staff.models import StaffMember
from staff.platform.audit.models import AccessLogSettings, SecurityEvent
from staff.platform.identity_numbers import validate_no_identity_number


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


class ExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, max_months: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_months = max_months

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date cannot be before the start date."))
            elif end >= add_months(start, self.max_months):
                message = ngettext(
                    "The period can be at most %(n)d month long.",
                    "The period can be at most %(n)d months long.",
                    self.max_months,
                ) % {"n": self.max_months}
                self.add_error("end", message)
        return data


class ReviewForm(forms.Form):
    key = forms.CharField(max_length=120, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you found out, e.g. who asked for the access and why."),
        validators=[validate_no_identity_number],
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AccessLogSettings
        fields = ["burst_cases", "burst_minutes", "export_max_months"]


class SecurityEventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *SecurityEvent.Kind.choices]
    )


class SupervisoryExportForm(ExportForm):
    """One case number or one person, and a period (first and last day included)."""

    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        required=False,
        help_text=_("The case number from the case management system."),
        validators=[validate_no_identity_number],
    )
    person = forms.ModelChoiceField(
        label=_("Or a person"), queryset=StaffMember.objects.none(), required=False, empty_label=_("No person")
    )
    field_order = ["case_number", "person", "start", "end"]

    def __init__(self, *args, organisation, find_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.find_case = find_case
        self.fields["person"].queryset = StaffMember.objects.filter(organisation=organisation).order_by(
            "last_name", "first_name", "pk"
        )
        self.case = None

    def clean(self):
        data = super().clean()
        number, person = data.get("case_number", ""), data.get("person")
        if "case_number" in self.errors or "person" in self.errors:
            return data
        if bool(number) == bool(person):
            self.add_error("case_number", _("Give a case number or choose a person (one of them)."))
        elif number:
            self.case = self.find_case(self.organisation, number) if self.find_case else None
            if self.case is None:
                self.add_error("case_number", _("No case in your organisation has this number."))
        return data
