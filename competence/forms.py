from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.models import StaffMember
from staff.platform.formtools import validate_sane_date
from staff.platform.identity_numbers import guard_fields, validate_no_identity_number

from .models import (
    SETTINGS_FIELDS,
    IntroductionTemplateItem,
    LadderLevel,
    LadderSettings,
    PayrollLayout,
    PlannedTraining,
    SupplementRate,
    Training,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OwnIds:
    """Several of these forms share one page (staff page, settings); ids named after the form stay unique."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.removesuffix('Form').lower()}_%s")
        super().__init__(*args, **kwargs)


class PromoteForm(OwnIds, forms.Form):
    level = forms.ModelChoiceField(label=_("New level"), queryset=LadderLevel.objects.none())
    start = forms.DateField(label=_("Decision date (new level from)"), widget=DateInput())
    assessed_on = forms.DateField(label=_("Date of the joint assessment"), widget=DateInput())
    specialist = forms.ModelChoiceField(label=_("Responsible specialist"), queryset=StaffMember.objects.none())
    motivation = forms.CharField(
        label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}), validators=[validate_no_identity_number]
    )
    override_reason = forms.CharField(
        label=_("Reason for overriding an entry rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_identity_number],
        help_text=_("Only when a rule is not met. The decision is then shown as an override."),
    )

    def __init__(self, *args, levels, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels
        self.fields["specialist"].queryset = specialists
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["assessed_on"].initial = today


class PlaceForm(OwnIds, forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=LadderLevel.objects.none())
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a past period entered as history."),
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels


class MentorForm(OwnIds, forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=StaffMember.objects.none())
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors


class TrainingPlanForm(OwnIds, forms.ModelForm):
    class Meta:
        model = PlannedTraining
        fields = ["training", "status", "planned_on", "completed_on", "goal", "purpose", "follow_up_on"]
        widgets = {"planned_on": DateInput(), "completed_on": DateInput(), "follow_up_on": DateInput()}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = Training.objects.filter(organisation=organisation)
        guard_fields(self, "goal", "purpose")

    def _post_clean(self):  # the service runs full_clean with the organisation set
        pass


class ItemDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())


class LadderSettingsForm(OwnIds, forms.ModelForm):
    valid_from = forms.DateField(
        label=_("Supplement terms valid from"),
        required=False,
        widget=DateInput(),
        validators=[validate_sane_date],
        help_text=_(
            "A change of the months on level 1 with supplement or of pro rata by FTE holds from this date on "
            "(empty means today). Months before it keep the terms they had; a paid month that changes is "
            "corrected in the next month's supplement report."
        ),
    )

    class Meta:
        model = LadderSettings
        fields = list(SETTINGS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pro_rata_by_fte"].help_text = _(
            "The supplement is paid in proportion to the FTE valid on each day (a half-time worker gets half)."
        )


class LevelForm(OwnIds, forms.ModelForm):
    class Meta:
        model = LadderLevel
        fields = ["number", "name", "is_specialist", "min_years", "requires_introduction", "expectations"]
        widgets = {"expectations": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self, "expectations")

    def _post_clean(self):
        pass


class RateForm(OwnIds, forms.ModelForm):
    class Meta:
        model = SupplementRate
        fields = ["level", "amount", "valid_from"]
        widgets = {"valid_from": DateInput()}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = LadderLevel.objects.filter(organisation=organisation)

    def _post_clean(self):
        pass


class TemplateItemForm(OwnIds, forms.ModelForm):
    class Meta:
        model = IntroductionTemplateItem
        fields = ["title", "phase", "responsible_role", "responsible_person", "due_offset_days"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_person"].queryset = StaffMember.objects.filter(
            organisation=organisation, employment_end__isnull=True
        )

    def _post_clean(self):
        pass


class TrainingForm(OwnIds, forms.ModelForm):
    class Meta:
        model = Training
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self, "description")

    def _post_clean(self):
        pass


class PayrollLayoutForm(OwnIds, forms.ModelForm):
    class Meta:
        model = PayrollLayout
        fields = [
            "file_format",
            "columns",
            "widths",
            "delimiter",
            "header",
            "pay_code",
            "correction_pay_code",
            "period_format",
            "amount_format",
            "encoding",
            "crlf",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .payroll import COLUMNS

        self.fields["columns"].help_text = _("The columns in order, separated by commas, of: %(columns)s.") % {
            "columns": ", ".join(COLUMNS)
        }
        self.fields["delimiter"].strip = False

    def clean(self):
        from .payroll import layout_errors

        data = super().clean()
        for name, message in layout_errors(
            file_format=data.get("file_format", ""),
            columns=data.get("columns", ""),
            widths=data.get("widths", ""),
            delimiter=data.get("delimiter", ""),
        ).items():
            self.add_error(name, message)
        return data


class PayrollPresetForm(OwnIds, forms.Form):
    preset = forms.ChoiceField(label=_("Preset"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .payroll import PRESETS

        self.fields["preset"].choices = [(key, preset["label"]) for key, preset in PRESETS.items()]
