"""Forms of the meeting pages: they parse input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staff.models import StaffMember
from staff.platform.identity_numbers import validate_no_identity_number

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
    review_reminder_days = forms.CharField(
        label=_("Review form reminders (days before the allocation Monday)"),
        max_length=40,
        initial="7,3",
        help_text=_("Comma-separated, e.g. 7,3: a reminder to everyone who has not submitted, once per threshold."),
    )


class DutyForm(StyledForm):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    staff = forms.ModelMultipleChoiceField(
        label=_("On duty"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Replaces the day's duty list: tick everyone on duty that day."),
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
        validators=[validate_no_identity_number],
    )


class ReviewFormForm(StyledForm):
    """The review form: the work situation, then one group of fields per open investigation."""

    work_situation = forms.TypedChoiceField(label=_("My work situation here and now"), coerce=int, choices=())
    comment = forms.CharField(
        label=_("Comment on my work situation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,  # as the column
        validators=[validate_no_identity_number],
    )

    def __init__(self, *args, cases, situations, entries, **kwargs):
        self.cases = cases
        super().__init__(*args, **kwargs)
        self.fields["work_situation"].choices = [("", "–"), *situations]
        from .models import ReviewEntry

        text = {
            "stands": _("Where it stands"),
            "still_needed": _("Still needed before a decision"),
            "interventions": _("Ongoing interventions"),
            "decisions": _("Decisions taken during the investigation"),
        }
        for case in cases:
            entry = entries.get(case.pk)
            for name, label in text.items():
                self.fields[f"c{case.pk}_{name}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=getattr(entry, name, ""),
                    validators=[validate_no_identity_number],
                )
            self.fields[f"c{case.pk}_basis_started"] = forms.BooleanField(
                label=_("Decision basis started"), required=False, initial=getattr(entry, "basis_started", False)
            )
            self.fields[f"c{case.pk}_journal_started"] = forms.BooleanField(
                label=_("Journal notes started"), required=False, initial=getattr(entry, "journal_started", False)
            )
            self.fields[f"c{case.pk}_reconsideration"] = forms.ChoiceField(
                label=_("Placement reconsiderations"),
                choices=ReviewEntry.Reconsideration.choices,
                initial=getattr(entry, "reconsideration", "na"),
            )
        self.style(self)

    def case_groups(self):
        return [(case, [self[name] for name in self.fields if name.startswith(f"c{case.pk}_")]) for case in self.cases]

    def entries(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            case.pk: {name.split("_", 1)[1]: data[name] for name in self.fields if name.startswith(f"c{case.pk}_")}
            for case in self.cases
        }
