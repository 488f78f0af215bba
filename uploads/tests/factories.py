"""Build upload files and run them through the real pipeline, in-process."""

import csv
import io
from pathlib import Path

from django.core.files.base import ContentFile

from uploads.models import FileUpload, UploadMode
from uploads.services import upload_create, upload_process


def csv_bytes(rows: list[list[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload_bytes(
    content: bytes,
    *,
    name: str = "customers.csv",
    mode: str = UploadMode.UPSERT,
    user=None,
    dry_run: bool = False,
    stop_on_error: bool = False,
    allow_identical: bool = True,
) -> FileUpload:
    """Create the upload as a person would, then process it here as the worker would."""
    upload = upload_create(
        file=ContentFile(content, name=name),
        original_name=name,
        uploaded_by=user,
        mode=mode,
        dry_run=dry_run,
        stop_on_error=stop_on_error,
        allow_identical=allow_identical,
        queue=False,
    )
    return upload_process(upload_id=upload.pk)


def upload_rows(rows: list[list[object]], **kwargs) -> FileUpload:
    return upload_bytes(csv_bytes(rows), **kwargs)


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path
