from django import forms

from staff.platform.retention.models import RetentionSettings


class RetentionSettingsForm(forms.ModelForm):
    class Meta:
        model = RetentionSettings
        fields = ["closed_case_years", "intake_item_years", "former_staff_years", "access_log_years"]
