import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.forms import DateInput
from staff.models import StaffMember
from staff.platform.formtools import validate_sane_date
from staff.platform.identity_numbers import validate_no_identity_number

from .models import EXIT_QUESTIONS, QUESTIONS, SCALE_LABELS, ExitInterview, RhythmStep, SurveySettings
from .selectors.plans import PlanState

SCALE_CHOICES = [(str(v), f"{v} – {label}") for v, label in SCALE_LABELS.items()]
OUT_OF_SCALE = _("Choose a value from 1 to 5.")


class AnswerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in QUESTIONS:
            self.fields[key] = forms.TypedChoiceField(
                label=label,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": OUT_OF_SCALE, "invalid_choice": OUT_OF_SCALE},
            )
            self.fields["m" + key[1]] = forms.CharField(
                label=_("Motivation (optional)"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
                validators=[validate_no_identity_number],
            )

    def statements(self):
        return [(self[key], self["m" + key[1]], label) for key, label in QUESTIONS]


class ActionPlanForm(forms.Form):
    actions = forms.CharField(
        label=_("Agreed actions"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_identity_number],
    )
    follow_up_on = forms.DateField(label=_("Follow-up date"), widget=DateInput(), validators=[validate_sane_date])


class ActionPlanEditForm(ActionPlanForm):
    """The plan read again: its actions and follow-up date, and the follow-up itself (outcome, closed)."""

    outcome = forms.CharField(
        label=_("Outcome of the follow-up"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_identity_number],
        help_text=_("What came of the agreed actions, as discussed with the person. Required to close the plan."),
    )
    closed = forms.BooleanField(label=_("Close the plan: the follow-up is done"), required=False)


class ActionPlanFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=PlanState.choices, required=False)


class RhythmStepForm(forms.Form):
    step = forms.TypedChoiceField(label=_("Step"), choices=RhythmStep.Step.choices, coerce=int)
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, validators=[validate_no_identity_number])


class BaselineUploadForm(forms.Form):
    MAX_BYTES = 1_048_576  # a line per unit: a few kB; anything near this is not the file asked for

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One line per unit: unit;q1;q2;q3 with values from 1 to 5 (decimal comma allowed)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."), code="too_large")
        head = upload.read(self.MAX_BYTES)
        upload.seek(0)
        if b"\0" in head:  # UTF-8, UTF-16 with a BOM aside, text never holds a NUL byte
            raise forms.ValidationError(_("This is not a text file. Upload a CSV file."), code="binary")
        return upload


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = [
            "open_hour",
            "open_days",
            "first_reminder_hours",
            "final_reminder_hours",
            "min_respondents",
            "junior_years",
        ]

    def __init__(self, *args, may_set_threshold: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_set_threshold:  # HR sees the threshold; only the organisation admin changes it
            self.fields["min_respondents"].disabled = True
            self.fields["min_respondents"].help_text = _("Only the organisation admin changes this.")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RoundScheduleForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput())


class ExitInterviewForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Person who leaves"), queryset=StaffMember.objects.none())
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    main_reason = forms.ChoiceField(
        label=_("Main reason (for the statistics)"),
        choices=[("", _("Choose the main reason")), *ExitInterview.Reason.choices],  # none chosen for the person
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = candidates
        for number, question in enumerate(EXIT_QUESTIONS, start=1):
            self.fields[f"a{number}"] = forms.CharField(
                label=f"{number}. {question}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=[validate_no_identity_number],
            )

    def clean(self):
        data = super().clean()
        person, held_on = data.get("staff"), data.get("held_on")
        if person and held_on and person.employment_start and held_on < person.employment_start:
            self.add_error("held_on", _("The exit interview cannot be held before the person's employment began."))
        elif held_on and held_on > timezone.localdate() + datetime.timedelta(days=365):
            self.add_error("held_on", _("The exit interview cannot lie more than a year ahead."))
        return data

    def answers(self) -> dict[str, str]:
        return {str(n): self.cleaned_data.get(f"a{n}", "") for n in range(1, len(EXIT_QUESTIONS) + 1)}

    def question_fields(self):
        return [self[f"a{n}"] for n in range(1, len(EXIT_QUESTIONS) + 1)]
