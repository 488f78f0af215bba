"""Process an upload: read the file as a stream, decide what each row does, write in batches.

Each batch of rows is evaluated against the database (and against the rows of the same file that
came before it), then written in one transaction together with its entries, the counts and the
resume point. A task that dies mid-file is redelivered and carries on after the last committed
batch, so the end result is the same as an uninterrupted run.

A preview (``dry_run``) goes through exactly the same steps but writes only the entries.
"""

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import F, Min
from django.utils import timezone

from customers.headers import HeaderMapping, header_map
from customers.models import PhoneType
from customers.national_ids import national_id_redact
from customers.phones import phone_kind
from customers.resources import MissingColumns
from uploads.models import COUNT_FIELDS, MOVING_STATUSES, FileUpload, UploadStatus
from uploads.readers import Table, open_table
from voiceassist.common.exceptions import ApplicationError

from .batches import ACCEPTED, BatchProcessor
from .columns import upload_column_overrides
from .recovery import upload_heartbeat
from .status import upload_fail, upload_transition

# File column -> Customer / Loan attribute. Entries record changes under the file column names. The national
# id's fingerprint is not among them: it never leaves the customer's row, so an entry records only the last
# While the rows are counted, a sign of life this often (see ``recovery``).
HEARTBEAT_ROWS = 20_000
# How much of a title line above the header the report keeps.
TITLE_LINE_CHARS = 200

# --- The run ------------------------------------------------------------------------------------


def upload_process(*, upload_id: int) -> FileUpload:
    """Run (or resume) an upload to its end. Safe to call again on an upload in any state."""
    upload = FileUpload.objects.select_related("profile").get(pk=upload_id)
    if upload.status not in MOVING_STATUSES:
        return upload  # finished, being reverted, or waiting for a person
    if upload.file_purged_at is not None:
        upload_fail(
            upload_id=upload.pk,
            message="The file of this upload was deleted (files are kept for a limited time). Upload it again.",
        )
        upload.refresh_from_db()
        return upload
    # A saved column profile may say on which row the header is (title lines above it) and which column is which.
    header_line = (upload.profile.header_line or None) if upload.profile else None
    try:
        # Through the storage API, never a path: web and workers need not share a disk.
        with (
            upload.file.open("rb") as file,
            open_table(file, name=upload.original_name, header_line=header_line) as table,
        ):
            mapping = header_map(table.headers, overrides=upload_column_overrides(upload))
            needs_validation = upload.status == UploadStatus.PENDING or upload.rows_total is None
            if needs_validation and not _validate(upload, table, mapping):
                return upload  # waiting for a person to say which column is which
            while True:
                _run_phase(upload, table, mapping)
                upload.refresh_from_db()
                if not _advance_phase(upload):
                    break
    except ApplicationError as exc:
        upload_fail(upload_id=upload.pk, message=exc.message)
    upload.refresh_from_db()
    return upload


def _validate(upload: FileUpload, table: Table, mapping: HeaderMapping) -> bool:
    """Check the columns and count the rows before any row is written. False: the upload waits for its mapping.

    A file without a phone (or name) column fails, naming the columns it has, unless some of its columns
    matched nothing: one of them may be the missing column under a header no alias knows, so the upload
    waits for a person to say which (``upload_columns_map``).
    """
    upload_transition(upload=upload, to=UploadStatus.VALIDATING, started_at=timezone.now())
    columns_report = {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "header_line": table.header_line,
        # Lines above the header (a report's title, its date): reported, never imported; an id in them masked.
        "title_lines": [[number, national_id_redact(text)[:TITLE_LINE_CHARS]] for number, text in table.title_lines],
        "headers": table.headers,
        "columns": {column: table.headers[index] for column, index in mapping.columns.items()},
        "unknown_columns": mapping.unknown,
        "ignored_columns": mapping.ignored,
        "duplicate_columns": mapping.duplicates,
        **({"profile": upload.profile.name} if upload.profile else {}),
    }
    if mapping.missing_required and mapping.unknown:
        missing = " and ".join(mapping.missing_required)
        report = {
            **upload.report,
            **columns_report,
            "missing_columns": mapping.missing_required,
            "mapping_needed": (
                f"No column of this file is read as {missing}. Choose which of its columns "
                f"({', '.join(mapping.unknown)}) holds the {missing}, or ignore the ones not needed."
            ),
        }
        upload_transition(upload=upload, to=UploadStatus.AWAITING_MAPPING, report=report)
        return False
    if mapping.missing_required:
        raise MissingColumns(missing=mapping.missing_required, found=table.headers)
    rows_total = 0
    for _ in table.rows():
        rows_total += 1
        if rows_total % HEARTBEAT_ROWS == 0:
            upload_heartbeat(upload_id=upload.pk)  # counting commits nothing: say it is alive
    report = {
        **upload.report,
        **columns_report,
        # Skipped, and listed so that a clerk can see no row was lost.
        "blank_rows": table.blank_rows,
        "blank_row_count": table.blank_row_count,
        # With "stop on error" the file is first checked in full, writing nothing but entries.
        "phase": "validation" if upload.stop_on_error and not upload.dry_run else "import",
    }
    upload_transition(upload=upload, to=UploadStatus.PROCESSING, report=report, rows_total=rows_total)
    return True


def _run_phase(upload: FileUpload, table: Table, mapping) -> None:
    write = not upload.dry_run and upload.report.get("phase") == "import"
    processor = BatchProcessor(
        upload=upload,
        headers=table.headers,
        columns=mapping.columns,
        kinds=mapping.kinds,
        write=write,
        cells_are_text=table.format == "csv",
    )
    rows = (row for row in table.rows() if row[0] > upload.last_row_number)
    batch: list = []
    failure = None
    try:
        for batch, parsed in _parsed_batches(rows, settings.UPLOAD_BATCH_SIZE, processor):
            with transaction.atomic():
                processor.store.start_batch()
                locked = FileUpload.objects.select_for_update().get(pk=upload.pk)
                if locked.status != UploadStatus.PROCESSING or locked.last_row_number >= batch[0][0]:
                    continue  # another delivery of this task already did this batch
                counts = processor.process(batch, parsed)
                FileUpload.objects.filter(pk=upload.pk).update(
                    last_row_number=batch[-1][0],
                    rows_done=F("rows_done") + len(batch),
                    updated_at=timezone.now(),
                    **{COUNT_FIELDS[outcome]: F(COUNT_FIELDS[outcome]) + n for outcome, n in counts.items() if n},
                )
            if write:
                processor.store.end_batch()
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
            upload_fail(
                upload_id=upload.pk,
                message=f"{invalid} row(s) are invalid or duplicated, and this upload was set to stop on any "
                "invalid row: nothing was imported. Download the failed rows, fix them and upload again.",
            )
            return False
        with transaction.atomic():
            upload.entries.all().delete()
            upload.reset_progress()
            upload.report = {**upload.report, "phase": "import"}
            upload.save()
        return True
    upload_transition(
        upload=upload,
        to=UploadStatus.AWAITING_CONFIRMATION if upload.dry_run else UploadStatus.COMPLETED,
        finished_at=timezone.now(),
        report={**upload.report, "numbers": numbers_report(upload)},
    )
    return False


# How many row numbers of each kind of number a report lists (the counts are complete).
NUMBERS_LISTED = 20


def numbers_report(upload: FileUpload) -> dict:
    """The accepted rows whose phone is not plainly a mobile the bot may call: landlines, numbers that cannot
    tell (the US and Canada), other ranges, and numbers outside ``CALL_COUNTRIES``. Counted by distinct phone,
    with the first rows of each; a campaign decides whether the bot calls them."""
    counts: dict[str, int] = {}
    rows: dict[str, list[int]] = {}
    # Each distinct phone once, with its first row: the database groups them (a million phones held in a set
    # here would double the worker's memory).
    phones = (
        upload.entries.filter(outcome__in=ACCEPTED)
        .values("phone")
        .annotate(first_row=Min("row_number"))
        .order_by("first_row")
        .values_list("first_row", "phone")
    )
    for number, phone in phones.iterator(chunk_size=5000):
        kind = phone_kind(phone)
        flags = [] if kind.type == PhoneType.MOBILE else [kind.type]
        if kind.country not in settings.CALL_COUNTRIES:
            flags.append("outside_countries")
        for flag in flags:
            counts[flag] = counts.get(flag, 0) + 1
            if len(listed := rows.setdefault(flag, [])) < NUMBERS_LISTED:
                listed.append(number)
    return {"counts": counts, "rows": rows, "countries": list(settings.CALL_COUNTRIES)}


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _parsed_batches(rows: Iterable, size: int, processor: BatchProcessor) -> Iterator[tuple[list, list]]:
    """The file's batches, each read and cleaned one step ahead in a second thread.

    Reading and cleaning a batch touches no database, so it runs while the previous batch waits on
    PostgreSQL (psycopg2 lets other threads run while a statement executes): the two cores are used at once.
    Batches still reach the database one by one in file order, so every decision is what it would be
    without the thread. Only one batch is read ahead, so memory stays flat.
    """
    batches = _batches(rows, size)

    def read_ahead() -> tuple[list, list] | None:
        batch = next(batches, None)
        return None if batch is None else (batch, processor.parse(batch))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload-read") as reader:
        upcoming = reader.submit(read_ahead)
        while (ready := upcoming.result()) is not None:
            upcoming = reader.submit(read_ahead)
            yield ready
