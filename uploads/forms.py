from django import forms

from customers.headers import column_choices
from uploads.models import ColumnProfile, UploadMode
from uploads.services.intake import ACCEPTED_EXTENSIONS

IGNORE = ""


class UploadForm(forms.Form):
    """What a person chooses when uploading a file (admin and agents' pages)."""

    file = forms.FileField(
        help_text="CSV (any common encoding and separator) or Excel .xlsx; the first row holds the column names."
    )
    mode = forms.ChoiceField(choices=UploadMode.choices, initial=UploadMode.UPSERT)
    profile = forms.ModelChoiceField(
        queryset=ColumnProfile.objects.order_by("name"),
        required=False,
        empty_label="None: recognise the columns by their names",
        label="Column profile",
        help_text="A lender's saved way of naming columns, for files whose headers are not recognised on their own.",
    )
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


class ColumnMappingForm(forms.Form):
    """Which column each of a file's unrecognised headers holds (or "ignore"), and a profile to save it as.

    One select per header, named by position (``header_0``, ``header_1``…): a header may hold any character.
    """

    save_as = forms.CharField(
        required=False,
        max_length=ColumnProfile._meta.get_field("name").max_length,
        label="Save as profile",
        help_text="Optional: a name (the lender's, say) to read their next files this way without stopping.",
    )

    def __init__(self, *args, headers: list[str], initial_columns: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = [(IGNORE, "Ignore this column"), *column_choices()]
        chosen = initial_columns or {}
        fields = {
            f"header_{index}": forms.ChoiceField(
                choices=choices, required=False, label=header, initial=chosen.get(header, IGNORE)
            )
            for index, header in enumerate(self.headers)
        }
        # The headers first, then the profile's name.
        self.fields = {**fields, "save_as": self.fields["save_as"]}

    @property
    def header_fields(self):
        return [self[f"header_{index}"] for index in range(len(self.headers))]

    def columns(self) -> dict[str, str]:
        """The choices, as the mapping service takes them: file header -> column, or "" to ignore it."""
        return {header: self.cleaned_data.get(f"header_{index}") or IGNORE for index, header in enumerate(self.headers)}
