"""The forms of the import pages: the upload, and the mapping of the file's columns to a kind's fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from staff.imports.files import MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"), help_text=_("A CSV file or an Excel file (xlsx) whose first row names the columns.")
    )
    dry_run = forms.BooleanField(label=_("Dry run: show what would change, never apply"), required=False, initial=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
        return upload


class MappingForm(forms.Form):
    """One choice of the file's columns per field of the kind; a required field must be chosen."""

    def __init__(self, *args, kind, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("– not in the file –")), *[(h, h) for h in headers]]
        for field in kind.fields:
            self.fields[field.key] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=False,
                initial=initial_mapping.get(field.key, ""),
                help_text=(f"{field.help_text} " if field.help_text else "")
                + (str(_("Required.")) if field.required else ""),
            )

    def mapping(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}
