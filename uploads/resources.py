"""The columns of an upload-entries export (django-import-export declares them; exports stream them)."""

import json

from import_export import resources
from import_export.fields import Field

from uploads.changes import change_lines
from uploads.models import UploadRow


class UploadRowExportResource(resources.ModelResource):
    upload_file = Field(attribute="upload__original_name", column_name="upload_file")
    what_changed = Field(column_name="changes")
    error_messages = Field(column_name="errors")
    row_values = Field(column_name="values")

    class Meta:
        model = UploadRow
        fields = (
            "id",
            "upload",
            "upload_file",
            "row_number",
            "outcome",
            "customer",
            "phone",
            "loan_id",
            "created_at",
            "what_changed",
            "error_messages",
            "row_values",
        )

    def dehydrate_what_changed(self, entry: UploadRow) -> str:
        return "; ".join(change_lines(entry.changes, entry.customer))

    def dehydrate_error_messages(self, entry: UploadRow) -> str:
        return "; ".join(entry.errors)

    def dehydrate_row_values(self, entry: UploadRow) -> str:
        return json.dumps(entry.values, ensure_ascii=False)
