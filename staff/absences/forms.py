from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.forms import DateInput
from staff.models import Absence, GroupMembership


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["kind", "start", "end", "extent"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start and "end" not in self.errors:
            self.add_error("end", _("The end date cannot be before the start date."))
        return data

    def _post_clean(self):
        # The service validates the model (and the overlap) with the person set; the form checks its fields.
        pass


class UnitAbsenceForm(AbsenceForm):
    """The unit calendar's form: the same fields, and whose absence it is."""

    member = forms.ModelChoiceField(label=_("Person"), queryset=None)

    class Meta(AbsenceForm.Meta):
        fields = ["member", "kind", "start", "end", "extent"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = people


class MembershipForm(forms.ModelForm):
    class Meta:
        model = GroupMembership
        fields = ["group", "start"]
        widgets = {"start": DateInput()}

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: f"{g.unit.name}: {g.name}"
        if not self.is_bound:
            self.initial.setdefault("start", timezone.localdate())

    def _post_clean(self):
        pass


class MembershipEndForm(forms.Form):
    end = forms.DateField(label=_("Until"), widget=DateInput())
