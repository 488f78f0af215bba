"""Run the upload pipeline on a file from the shell, in this process, to the end."""

import json
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from uploads.models import UploadMode, UploadStatus
from uploads.services import column_profile_find, upload_create, upload_process
from voiceassist.common.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of customers and loans (the same pipeline as the web uploads)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--mode", choices=UploadMode.values, default=UploadMode.UPSERT)
        parser.add_argument("--dry-run", action="store_true", help="Preview: evaluate every row, write nothing.")
        parser.add_argument("--stop-on-error", action="store_true", help="Import nothing if any row is invalid.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object with the result.")
        parser.add_argument("--profile", default="", help="A saved column profile (name or id) to read the file with.")

    def handle(self, *args, path: str, mode: str, dry_run: bool, stop_on_error: bool, json: bool, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No file at {source}.")
        started = time.perf_counter()
        try:
            profile = column_profile_find(profile=options["profile"]) if options.get("profile") else None
            with source.open("rb") as handle:
                upload = upload_create(
                    file=File(handle, name=source.name),
                    original_name=source.name,
                    uploaded_by=None,
                    mode=mode,
                    dry_run=dry_run,
                    stop_on_error=stop_on_error,
                    allow_identical=True,
                    profile=profile,
                    queue=False,
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if upload.identical_to_id:
            self.stderr.write(f"Note: {upload.identical_warning} Importing it again.")
        upload = upload_process(upload_id=upload.pk)
        result = {
            "upload_id": upload.pk,
            "status": upload.status,
            "rows": upload.rows_done,
            **upload.counts,
            "unknown_columns": upload.report.get("unknown_columns", []),
            "identical_to": upload.identical_to_id,
            "error": upload.error_summary,
            "seconds": round(time.perf_counter() - started, 3),
        }
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(
                f"Upload #{upload.pk} {upload.get_status_display().lower()}: {upload.rows_done} rows — "
                + ", ".join(f"{name} {count}" for name, count in upload.counts.items())
            )
            if upload.error_summary:
                self.stderr.write(upload.error_summary)
        if upload.status == UploadStatus.AWAITING_MAPPING:
            missing = ", ".join(upload.report.get("missing_columns", []))
            self.stderr.write(
                f"Nothing was imported: the file has no column read as {missing}. "
                f"Map its columns on the upload's page (upload #{upload.pk}), or run again with --profile."
            )
        if upload.status in (UploadStatus.FAILED, UploadStatus.AWAITING_MAPPING):
            raise SystemExit(1)


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)
