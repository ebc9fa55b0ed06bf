"""Forms of the intake pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from caseload.forms import DateInput, StyledForm, required_by_service
from staff.models import Unit
from staff.platform.identity_numbers import validate_no_identity_number

from .models import IntakeItem, IntakeSettings


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RegisterForm(StyledForm):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("Only the case number: never a name or a personal identity number."),
        validators=[validate_no_identity_number],
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=IntakeItem.Kind.choices)
    received_at = forms.DateTimeField(label=_("Received (date and time)"), widget=DateTimeInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=IntakeItem.Reason.choices)
    acute = forms.BooleanField(label=_("Acute"), required=False)
    about_child = forms.BooleanField(label=_("About a child"), required=False, initial=True)
    unit = forms.ModelChoiceField(label=_("Intake unit"), queryset=Unit.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ProtectionForm(StyledForm):
    needed = forms.TypedChoiceField(
        label=_("Is immediate protection needed?"),
        choices=[("0", _("No")), ("1", _("Yes"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    outcome = required_by_service(
        forms.CharField(
            label=_("Outcome (short)"),
            max_length=200,
            required=False,
            help_text=_("What was assessed and done, in a few words: never a name or a personal identity number."),
            validators=[validate_no_identity_number],
        )
    )


class DecisionForm(StyledForm):
    open_investigation = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Open an investigation")), ("0", _("Do not open an investigation"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = required_by_service(
        forms.CharField(
            label=_("Reason"),
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            validators=[validate_no_identity_number],
        )
    )
    decided_on = forms.DateField(label=_("Decision date"), widget=DateInput())
    investigation_unit = forms.ModelChoiceField(
        label=_("Unit that investigates"), queryset=Unit.objects.none(), required=False
    )
    weight = forms.IntegerField(label=_("Complexity weight"), min_value=1, initial=1)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigation_unit"].queryset = units


class IntakeSettingsForm(forms.ModelForm):
    class Meta:
        model = IntakeSettings
        fields = ["pre_assessment_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        StyledForm.style(self)
