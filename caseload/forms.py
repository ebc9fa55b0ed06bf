"""Forms of the caseload pages: they parse input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staff.models import StaffMember, Unit
from staff.platform.identity_numbers import validate_no_identity_number

from .models import Case, CaseloadSettings, Investigation


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so the shared field template can render any form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style(self)

    @staticmethod
    def style(form) -> None:
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def required_by_service(field: forms.Field) -> forms.Field:
    """A field the service requires (with its own message) but the form leaves optional: it shows the marker.

    `_form_fields.html` marks `field.required` or this flag with the same asterisk; the form keeps
    required=False so an empty or blank value reaches the service and gets the service's Swedish message.
    """
    field.required_by_service = True
    return field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AssignForm(StyledForm):
    main = forms.ModelChoiceField(label=_("Main handler"), queryset=StaffMember.objects.none())
    co = forms.ModelChoiceField(label=_("Co-handler"), queryset=StaffMember.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        validators=[validate_no_identity_number],
        help_text=_("Required when the case already has a main handler (a reassignment)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main"].queryset = workers
        self.fields["co"].queryset = workers
        self.fields["main"].label_from_instance = self.fields["co"].label_from_instance = lambda s: s.full_name


class CloseForm(StyledForm):
    closed_on = forms.DateField(label=_("Closing date"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Investigation.Outcome.choices)
    close_case = forms.BooleanField(label=_("Close the case as well"), required=False, initial=True)
    overrun_reason = forms.CharField(
        label=_("Reason for closing past the legal deadline"),
        help_text=_("Only when the investigation closes after the legal deadline without an extension decision."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        validators=[validate_no_identity_number],
    )


class ExtensionForm(StyledForm):
    new_deadline = forms.DateField(label=_("New date"), widget=DateInput())
    reason = required_by_service(
        forms.CharField(
            label=_("Special reason"),
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            validators=[validate_no_identity_number],
        )
    )


class OpenInvestigationForm(StyledForm):
    start_date = forms.DateField(label=_("Start date (decision to open)"), widget=DateInput())
    new_report = forms.BooleanField(label=_("A new report or application was received"), required=False)


class CaseCreateForm(StyledForm):
    number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        validators=[validate_no_identity_number],
        help_text=Case._meta.get_field("number").help_text,
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices)
    weight = forms.IntegerField(label=_("Complexity weight"), min_value=1, initial=1)
    acute = forms.BooleanField(label=_("Acute"), required=False)
    opened_on = forms.DateField(label=_("Opened"), widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CaseloadSettings
        exclude: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        StyledForm.style(self)
