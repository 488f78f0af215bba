"""The exports uploads offers: every upload's entries, in upload and row order (``uploads.resources``)."""

from voiceassist.common.exports import exports_register

from .models import UploadRow
from .resources import UploadRowExportResource

exports_register(
    "entries",
    label="upload entries",
    resource=UploadRowExportResource,
    permission="uploads.view_uploadrow",
    rows=lambda: UploadRow.objects.select_related("upload", "customer").order_by("upload_id", "row_number"),
)
