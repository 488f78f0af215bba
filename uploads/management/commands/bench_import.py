"""Measure the upload pipeline on a generated file: a fresh import, a re-import that updates every
row, and the raw ``COPY`` + ``INSERT … ON CONFLICT`` upsert in the same run for comparison; then a fresh
import of an XLSX workbook (up to 100,000 rows, new customers) through the same pipeline.

The bench's customers use phones +9170… and loan ids BENCH-…; they are removed before and after.
Run it on a development or benchmark database, never on production.
"""

import csv
import datetime
import resource
import tempfile
import time
from pathlib import Path

import openpyxl
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from customers.models import Customer, Loan
from uploads.models import FileUpload, UploadStatus
from uploads.services import upload_create, upload_process
from voiceassist.common.money import indian_grouping

HEADERS = ["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "EMI Due Date", "DPD", "State", "Language"]
STATES = ["Maharashtra", "Karnataka", "Tamil Nadu", "Delhi", "Gujarat", "Kerala", "West Bengal"]
PHONE_BASE = 7_000_000_000
LOAN_PREFIX = "BENCH-"
XLSX_MAX_ROWS = 100_000


def _phone(i: int) -> str:
    digits = str(PHONE_BASE + i)
    return (f"+91{digits}", f"0{digits}", f"{digits[:5]} {digits[5:]}", f"91{digits}")[i % 4]


def _write_file(path: Path, rows: int, *, update: bool) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            amount = 10_000 + (i * 37) % 490_000 + (1_500 if update else 0)
            amount_text = f"₹{indian_grouping(amount)}.00" if i % 2 else indian_grouping(amount)
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            writer.writerow(
                [
                    f"Bench Customer {i}",
                    _phone(i),
                    f"{LOAN_PREFIX}{i:08d}",
                    amount_text,
                    f"{day:02d}/{month:02d}/2026",
                    (i % 90) + (1 if update else 0),
                    STATES[i % len(STATES)],
                    "Hindi" if i % 3 == 0 else "English",
                ]
            )


def _write_workbook(path: Path, rows: int, *, first: int) -> None:
    """A workbook as lenders save them: numbers and dates stored as such, mobiles as numbers or text.

    Its customers are numbered from ``first``, after the CSV's, so that its import is a fresh one too.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for i in range(first, first + rows):
        sheet.append(
            [
                f"Bench Customer {i}",
                PHONE_BASE + i if i % 2 else _phone(i),
                f"{LOAN_PREFIX}{i:08d}",
                10_000 + (i * 37) % 490_000 + (0.5 if i % 3 == 0 else 0),
                datetime.date(2026, 1 + (i // 28) % 12, 1 + i % 28),
                i % 90,
                STATES[i % len(STATES)],
                "Hindi" if i % 3 == 0 else "English",
            ]
        )
    workbook.save(path)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class Command(BaseCommand):
    help = "Benchmark the upload pipeline on an N-row generated file (fresh, then update) beside a raw COPY upsert."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--keep", action="store_true", help="Keep the bench's customers and uploads afterwards.")

    def handle(self, *args, rows: int, keep: bool, **options) -> None:
        self._cleanup()
        with tempfile.TemporaryDirectory() as folder:
            fresh_file = Path(folder) / "bench-fresh.csv"
            update_file = Path(folder) / "bench-update.csv"
            _write_file(fresh_file, rows, update=False)
            _write_file(update_file, rows, update=True)
            size_mb = fresh_file.stat().st_size / 1024 / 1024
            self.stdout.write(f"database={connection.vendor} rows={rows} file_mb={size_mb:.1f}")

            fresh = self._import(fresh_file)
            self.stdout.write(f"fresh:  {fresh['seconds']:.2f} s {fresh['counts']}")
            update = self._import(update_file)
            self.stdout.write(f"update: {update['seconds']:.2f} s {update['counts']}")
            copy_seconds = self._raw_copy_upsert(rows, Path(folder))
            self.stdout.write(
                f"raw upsert ({'COPY' if connection.vendor == 'postgresql' else 'executemany'}): {copy_seconds:.2f} s"
            )
            xlsx_rows = min(rows, XLSX_MAX_ROWS)
            xlsx_file = Path(folder) / "bench-fresh.xlsx"
            _write_workbook(xlsx_file, xlsx_rows, first=rows)
            xlsx = self._import(xlsx_file)
            self.stdout.write(f"xlsx:   {xlsx['seconds']:.2f} s {xlsx['counts']} ({xlsx_rows} rows)")
        if not keep:
            self._cleanup()
        self.stdout.write(
            f"rows={rows} fresh_rows_per_s={rows / fresh['seconds']:.0f} "
            f"update_rows_per_s={rows / update['seconds']:.0f} copy_rows_per_s={rows / copy_seconds:.0f} "
            f"peak_rss_mb={_peak_rss_mb():.0f} xlsx_rows_per_s={xlsx_rows / xlsx['seconds']:.0f}"
        )

    def _import(self, path: Path) -> dict:
        with path.open("rb") as handle:
            upload = upload_create(
                file=File(handle, name=path.name),
                original_name=path.name,
                uploaded_by=None,
                allow_identical=True,
                queue=False,
            )
        started = time.perf_counter()
        upload = upload_process(upload_id=upload.pk)
        seconds = time.perf_counter() - started
        if upload.status != UploadStatus.COMPLETED:
            raise RuntimeError(f"Bench upload #{upload.pk} ended {upload.status}: {upload.error_summary}")
        return {"seconds": seconds, "counts": upload.counts}

    def _raw_copy_upsert(self, rows: int, folder: Path) -> float:
        """The floor: already-clean rows upserted into a plain (logged, indexed) table in one round trip."""
        data_file = folder / "bench-raw.csv"
        with data_file.open("w", newline="") as handle:
            writer = csv.writer(handle)
            for i in range(rows):
                writer.writerow((f"+91{PHONE_BASE + i}", f"Bench Customer {i}", f"{10_000 + i}.00", "2026-12-31"))
        upsert = (
            "INSERT INTO bench_target SELECT * FROM bench_stage ON CONFLICT (phone) DO UPDATE "
            "SET full_name = EXCLUDED.full_name, amount = EXCLUDED.amount, due_date = EXCLUDED.due_date"
        )
        with transaction.atomic(), connection.cursor() as cursor, data_file.open() as handle:
            cursor.execute(
                "CREATE TABLE bench_target "
                "(phone text PRIMARY KEY, full_name text, amount numeric(14,2), due_date date)"
            )
            started = time.perf_counter()
            if connection.vendor == "postgresql":
                cursor.execute("CREATE TEMP TABLE bench_stage (LIKE bench_target)")
                cursor.copy_expert("COPY bench_stage FROM STDIN WITH (FORMAT csv)", handle)
                cursor.execute(upsert)
                cursor.execute("DROP TABLE bench_stage")
            else:
                cursor.executemany(
                    upsert.replace("SELECT * FROM bench_stage", "VALUES (%s, %s, %s, %s)"), csv.reader(handle)
                )
            seconds = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_target")
        return seconds

    def _cleanup(self) -> None:
        """Remove the bench's own rows with set-based deletes (the ORM would load them one by one)."""
        uploads = FileUpload.objects.filter(original_name__startswith="bench-")
        with transaction.atomic(), connection.cursor() as cursor:
            upload_ids = list(uploads.values_list("pk", flat=True))
            if upload_ids:
                cursor.execute(
                    "DELETE FROM uploads_uploadrow WHERE upload_id IN (SELECT id FROM uploads_fileupload "
                    "WHERE original_name LIKE 'bench-%%')"
                )
            # Table names come from the models, values are parameters.
            cursor.execute(f"DELETE FROM {Loan._meta.db_table} WHERE loan_id LIKE %s", [f"{LOAN_PREFIX}%"])  # noqa: S608
            cursor.execute(
                f"DELETE FROM {Customer._meta.db_table} WHERE phone LIKE %s AND full_name LIKE %s "  # noqa: S608
                f"AND id NOT IN (SELECT customer_id FROM {Loan._meta.db_table})",
                ["+9170%", "Bench Customer %"],
            )
        for upload in uploads:
            upload.file.delete(save=False)
        uploads.delete()
