from django import forms

from uploads.models import UploadMode
from uploads.services.intake import ACCEPTED_EXTENSIONS


class UploadForm(forms.Form):
    """What a person chooses when uploading a file (admin and agents' pages)."""

    file = forms.FileField(
        help_text="CSV (any common encoding and separator) or Excel .xlsx; the first row holds the column names."
    )
    mode = forms.ChoiceField(choices=UploadMode.choices, initial=UploadMode.UPSERT)
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        label="Preview first",
        help_text="See what each row would do before anything is written.",
    )
    stop_on_error = forms.BooleanField(
        required=False, label="Stop on any invalid row", help_text="Import nothing if any row is invalid."
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(f"“{file.name}” is not a CSV or .xlsx file.")
        return file
