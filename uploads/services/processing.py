"""Process an upload: read the file as a stream, decide what each row does, write in batches.

Each batch of rows is evaluated against the database (and against the rows of the same file that
came before it), then written in one transaction together with its entries, the counts and the
resume point. A task that dies mid-file is redelivered and carries on after the last committed
batch, so the end result is the same as an uninterrupted run.

A preview (``dry_run``) goes through exactly the same steps but writes only the entries.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import F
from django.utils import timezone

from customers.resources import MissingColumns, header_map
from uploads.models import COUNT_FIELDS, FileUpload, UploadStatus
from uploads.readers import Table, open_table
from voiceassist.common.exceptions import ApplicationError

from .batches import BatchProcessor
from .recovery import upload_heartbeat

# File column -> Customer / Loan attribute. Entries record changes under the file column names. The national
# id's fingerprint is not among them: it never leaves the customer's row, so an entry records only the last
# While the rows are counted, a sign of life this often (see ``recovery``).
HEARTBEAT_ROWS = 20_000
FINISHED = (UploadStatus.COMPLETED, UploadStatus.FAILED, UploadStatus.REVERTING, UploadStatus.REVERTED)

# --- The run ------------------------------------------------------------------------------------


def upload_process(*, upload_id: int) -> FileUpload:
    """Run (or resume) an upload to its end. Safe to call again on an upload in any state."""
    upload = FileUpload.objects.get(pk=upload_id)
    if upload.status in FINISHED or upload.status == UploadStatus.AWAITING_CONFIRMATION:
        return upload
    if upload.file_purged_at is not None:
        _fail(upload, "The file of this upload was deleted (files are kept for a limited time). Upload it again.")
        upload.refresh_from_db()
        return upload
    try:
        # Through the storage API, never a path: web and workers need not share a disk.
        with upload.file.open("rb") as file, open_table(file, name=upload.original_name) as table:
            mapping = header_map(table.headers)
            if upload.status == UploadStatus.PENDING or upload.rows_total is None:
                _validate(upload, table, mapping)
            while True:
                _run_phase(upload, table, mapping)
                upload.refresh_from_db()
                if not _advance_phase(upload):
                    break
    except ApplicationError as exc:
        _fail(upload, exc.message)
    upload.refresh_from_db()
    return upload


def _validate(upload: FileUpload, table: Table, mapping) -> None:
    """Check the columns and count the rows before any row is written."""
    _set_status(upload, UploadStatus.VALIDATING, started_at=timezone.now())
    if mapping.missing_required:
        raise MissingColumns(missing=mapping.missing_required, found=table.headers)
    rows_total = 0
    for _ in table.rows():
        rows_total += 1
        if rows_total % HEARTBEAT_ROWS == 0:
            upload_heartbeat(upload_id=upload.pk)  # counting commits nothing: say it is alive
    upload.report = {
        **upload.report,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "headers": table.headers,
        "columns": {column: table.headers[index] for column, index in mapping.columns.items()},
        "unknown_columns": mapping.unknown,
        "duplicate_columns": mapping.duplicates,
        # With "stop on error" the file is first checked in full, writing nothing but entries.
        "phase": "validation" if upload.stop_on_error and not upload.dry_run else "import",
    }
    upload.rows_total = rows_total
    upload.status = UploadStatus.PROCESSING
    upload.save(update_fields=["report", "rows_total", "status", "updated_at"])


def _run_phase(upload: FileUpload, table: Table, mapping) -> None:
    write = not upload.dry_run and upload.report.get("phase") == "import"
    processor = BatchProcessor(
        upload=upload, headers=table.headers, columns=mapping.columns, write=write, cells_are_text=table.format == "csv"
    )
    rows = (row for row in table.rows() if row[0] > upload.last_row_number)
    batch: list = []
    failure = None
    try:
        for batch in _batches(rows, settings.UPLOAD_BATCH_SIZE):
            with transaction.atomic():
                processor.store.start_batch()
                locked = FileUpload.objects.select_for_update().get(pk=upload.pk)
                if locked.status != UploadStatus.PROCESSING or locked.last_row_number >= batch[0][0]:
                    continue  # another delivery of this task already did this batch
                counts = processor.process(batch)
                FileUpload.objects.filter(pk=upload.pk).update(
                    last_row_number=batch[-1][0],
                    rows_done=F("rows_done") + len(batch),
                    updated_at=timezone.now(),
                    **{COUNT_FIELDS[outcome]: F(COUNT_FIELDS[outcome]) + n for outcome, n in counts.items() if n},
                )
            # With DEBUG on, Django keeps every query (each with thousands of keys) in memory: a long file
            # must not grow the worker.
            reset_queries()
    except ApplicationError:
        raise
    except Exception as exc:
        where = f"Upload {upload.pk}, rows {batch[0][0]}-{batch[-1][0]}," if batch else f"Upload {upload.pk}"
        failure = error_without_row_values(exc, where=where)
    if failure is not None:
        raise failure  # outside the handler, so that the original error is not chained to it


class UploadStoppedError(Exception):
    """An unexpected error in an upload's work, told again without the rows it was about.

    Database errors quote the values they stumble on (PostgreSQL's ``Key (phone)=(+91…)``, ``Failing row
    contains (…)``, ``COPY …, column email: "…"``), and whatever logs the error (the task, Celery) would
    write names, phones and national ids into the logs. This one names the error's class, SQLSTATE and the
    table, column and constraint concerned; it keeps the original traceback's frames, not its message.
    """


def error_without_row_values(exc: BaseException, *, where: str) -> UploadStoppedError:
    """``exc`` told without any value: raise the answer outside the ``except`` block that caught ``exc``."""
    database_error = exc if getattr(exc, "pgcode", None) else exc.__cause__
    details = [type(exc).__name__]
    if getattr(database_error, "pgcode", None):
        details.append(f"SQLSTATE {database_error.pgcode}")
        diag = database_error.diag
        names = (("table", diag.table_name), ("column", diag.column_name), ("constraint", diag.constraint_name))
        details += [f"{label} {name}" for label, name in names if name]
    message = f"{where} stopped on {', '.join(details)}; the error's own text is left out as it may quote row values."
    return UploadStoppedError(message).with_traceback(exc.__traceback__)


def _advance_phase(upload: FileUpload) -> bool:
    """Finish the upload, or start its import phase after a clean validation. True to run again."""
    if upload.status != UploadStatus.PROCESSING:
        return False
    invalid = upload.invalid_count + upload.duplicate_count
    if upload.report.get("phase") == "validation":
        if invalid:
            _fail(
                upload,
                f"{invalid} row(s) are invalid or duplicated, and this upload was set to stop on any "
                "invalid row: nothing was imported. Download the failed rows, fix them and upload again.",
            )
            return False
        with transaction.atomic():
            upload.entries.all().delete()
            upload.reset_progress()
            upload.report = {**upload.report, "phase": "import"}
            upload.save()
        return True
    with transaction.atomic():
        upload.status = UploadStatus.AWAITING_CONFIRMATION if upload.dry_run else UploadStatus.COMPLETED
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "finished_at", "updated_at"])
    return False


def _fail(upload: FileUpload, message: str) -> None:
    FileUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.FAILED, error_summary=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _set_status(upload: FileUpload, status: str, **fields: Any) -> None:
    upload.status = status
    for name, value in fields.items():
        setattr(upload, name, value)
    upload.save(update_fields=["status", *fields, "updated_at"])


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
