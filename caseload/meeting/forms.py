"""Forms of the meeting pages: they parse input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staff.models import StaffMember

from ..allocation.cycle import MAX_PERIOD_WEEKS, MIN_PERIOD_WEEKS
from ..forms import DateInput, StyledForm


def _names(field) -> None:
    field.label_from_instance = lambda s: s.full_name


class CycleSettingsForm(StyledForm):
    anchor = forms.DateField(
        label=_("An allocation Monday"),
        widget=DateInput(),
        help_text=_("The Monday of any allocation week; the other cycles follow from it."),
    )
    period_weeks = forms.IntegerField(
        label=_("Weeks per cycle"), min_value=MIN_PERIOD_WEEKS, max_value=MAX_PERIOD_WEEKS, initial=5
    )


class DutyForm(StyledForm):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    staff = forms.ModelMultipleChoiceField(
        label=_("On duty"), queryset=StaffMember.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = workers
        _names(self.fields["staff"])


class AdjustForm(StyledForm):
    row = forms.IntegerField(widget=forms.HiddenInput)
    main = forms.ModelChoiceField(label=_("Main handler"), queryset=StaffMember.objects.none(), required=False)
    co = forms.ModelChoiceField(label=_("Co-handler"), queryset=StaffMember.objects.none(), required=False)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("main", "co"):
            self.fields[name].queryset = workers
            _names(self.fields[name])


class WrapUpForm(StyledForm):
    notes = forms.CharField(
        label=_("Wrap-up notes: what worked well, what less well"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
