from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from customers.headers import HEADER_ALIASES, header_key
from customers.models import Customer
from voiceassist.common.models import BaseModel


class UploadMode(models.TextChoices):
    UPSERT = "upsert", "Add new and update existing"
    CREATE_ONLY = "create_only", "Add new only (skip existing customers)"
    UPDATE_ONLY = "update_only", "Update existing only (skip unknown customers)"


class UploadStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "Waiting for confirmation"
    # The file has no column the aliases read as phone (or name) but has columns nobody recognised: a person
    # says which is which (``upload_columns_map``) before any row is read.
    AWAITING_MAPPING = "awaiting_mapping", "Waiting for column mapping"
    VALIDATING = "validating", "Validating"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    REVERTING = "reverting", "Reverting"
    REVERTED = "reverted", "Reverted"


# The statuses in groups, each defined here once. How an upload moves between statuses is the map in
# ``uploads/services/status.py``. Every status is in exactly one of moving, waiting for a person, finished,
# reverting and reverted.
#
# A worker has started on the upload: checking its columns, or reading its rows…
STARTED_STATUSES = (UploadStatus.VALIDATING, UploadStatus.PROCESSING)
# …or is (or should be) moving it along: queued, or started.
MOVING_STATUSES = (UploadStatus.PENDING, *STARTED_STATUSES)
# Its pages poll for progress (a revert is work too).
RUNNING_STATUSES = (*MOVING_STATUSES, UploadStatus.REVERTING)
# Held until a person confirms (a preview, an identical file) or says which column is which.
WAITING_FOR_A_PERSON = (UploadStatus.AWAITING_CONFIRMATION, UploadStatus.AWAITING_MAPPING)
# Processing is over: the file went in, or stopped with why. What may be reverted.
FINISHED_STATUSES = (UploadStatus.COMPLETED, UploadStatus.FAILED)


class RowOutcome(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    UNCHANGED = "unchanged", "Unchanged"
    SKIPPED = "skipped", "Skipped"
    INVALID = "invalid", "Invalid"
    DUPLICATE = "duplicate", "Duplicate in file"
    # A known phone with another name: held, changing nothing, until back office accepts or rejects it.
    NAME_CONFLICT = "name_conflict", "Name conflict (held)"


COUNT_FIELDS = {
    RowOutcome.CREATED: "created_count",
    RowOutcome.UPDATED: "updated_count",
    RowOutcome.UNCHANGED: "unchanged_count",
    RowOutcome.SKIPPED: "skipped_count",
    RowOutcome.INVALID: "invalid_count",
    RowOutcome.DUPLICATE: "duplicate_count",
    RowOutcome.NAME_CONFLICT: "name_conflict_count",
}


class ConflictResolution(models.TextChoices):
    ACCEPTED = "accepted", "Accepted (renamed)"
    REJECTED = "rejected", "Rejected"


class ColumnProfile(BaseModel):
    """A lender's way of naming columns, saved once and chosen at each upload of their files.

    ``columns`` maps a file header, as the lender writes it, to a canonical column (``"Contact 1": "phone"``)
    or to "" to ignore that column. ``header_line`` is the row of the header when title lines sit above it.
    """

    name = models.CharField(max_length=100, help_text="How people choose it, e.g. the lender's name.")
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text='File header → column, e.g. {"Contact 1": "phone", "Branch": ""} ("" ignores the column).',
    )
    header_line = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Row number of the header, as the spreadsheet numbers rows, when title lines sit above it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="columnprofile_unique_name_ci",
                violation_error_message="A profile of this name exists already (names are compared ignoring case).",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())
        if self.name and not any(character.isalpha() for character in self.name):
            # A name of digits alone would read as a profile's id where either is accepted (the API).
            raise ValidationError({"name": "A profile's name needs at least one letter."})
        errors = column_mapping_errors(self.columns)
        if errors:
            raise ValidationError({"columns": errors})


def column_mapping_errors(columns: object) -> list[str]:
    """What is wrong with a mapping of file headers to columns, in words a clerk can act on (none: [])."""
    if not isinstance(columns, dict):
        return ['Give the columns as pairs of file header and column, e.g. {"Contact 1": "phone"}.']
    errors = []
    for header, column in columns.items():
        if not header_key(str(header)):
            errors.append(f"“{header}” is not a file header: a header has letters or digits.")
        elif not isinstance(column, str) or (column and column not in HEADER_ALIASES):
            errors.append(
                f"“{header}” is mapped to “{column}”, which is not a column we import. Use one of: "
                f"{', '.join(HEADER_ALIASES)}, or leave it empty to ignore the column."
            )
    if errors:
        return errors
    headers_by_column: dict[str, list[str]] = {}
    for header, column in columns.items():
        if column:
            headers_by_column.setdefault(column, []).append(str(header))
    for column, headers in headers_by_column.items():
        if len(headers) > 1:
            errors.append(
                f"{' and '.join(f'“{header}”' for header in headers)} are each mapped to {column}: keep one and "
                "set the others to ignore."
            )
    keys = [header_key(str(header)) for header in columns]
    twice = sorted({str(header) for header, key in zip(columns, keys, strict=True) if keys.count(key) > 1})
    if twice:
        errors.append(f"{', '.join(f'“{header}”' for header in twice)} name the same file header: give it once.")
    return errors


class FileUpload(BaseModel):
    """One uploaded file of customers and loans, and how far its processing got.

    The file is stored before anything else happens, so a failure never loses it. Processing runs
    in batches; ``last_row_number`` and the counts are committed with each batch, which is what lets
    a redelivered task resume exactly where the last one stopped.
    """

    file = models.FileField(upload_to="uploads/%Y/%m/%d/")
    original_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file's bytes.")
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    mode = models.CharField(max_length=16, choices=UploadMode.choices, default=UploadMode.UPSERT)
    dry_run = models.BooleanField(default=False, help_text="A preview: rows are evaluated, nothing is written.")
    stop_on_error = models.BooleanField(default=False, help_text="Any invalid row fails the whole upload.")
    status = models.CharField(max_length=24, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    profile = models.ForeignKey(
        ColumnProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
        help_text="The column profile the upload was read with.",
    )
    # The mapping chosen for this upload (file header -> column, or "" to ignore it): its profile's columns
    # merged with what a person chose at the preview. Wins over the aliases.
    column_overrides = models.JSONField(default=dict, blank=True)
    identical_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An earlier upload of exactly the same file.",
    )

    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    last_row_number = models.PositiveIntegerField(default=0, help_text="File row of the last committed entry.")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    name_conflict_count = models.PositiveIntegerField(default=0)

    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The original file is deleted once it is no longer needed (``UPLOAD_FILE_RETENTION_DAYS``); the
    # entries stay. Set when that happened.
    file_purged_at = models.DateTimeField(null=True, blank=True)
    error_summary = models.TextField(blank=True)
    # What the reader found (format, encoding, separator, column mapping, unknown columns) and,
    # after a revert, what it did and could not do.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Upload #{self.pk} {self.original_name}"

    def reset_progress(self) -> dict[str, int]:
        """Back to row zero (unsaved): the counts and the resume point start again. Returns the fields it set."""
        fields = {"rows_done": 0, "last_row_number": 0, **dict.fromkeys(COUNT_FIELDS.values(), 0)}
        for name, value in fields.items():
            setattr(self, name, value)
        return fields

    @property
    def identical_warning(self) -> str:
        if not self.identical_to_id:
            return ""
        earlier = self.identical_to
        warning = f"This file is identical to upload #{earlier.pk} of {earlier.created_at:%-d %b %Y}"
        if earlier.status == UploadStatus.PENDING:
            # Most often a retry after "the queue is unavailable": that upload is kept and will be processed.
            return f"{warning}, which is kept and waiting to be processed: there is no need to import it again."
        return f"{warning}."

    @property
    def progress_percent(self) -> int:
        if self.status == UploadStatus.COMPLETED:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "skipped": self.skipped_count,
            "invalid": self.invalid_count,
            "duplicates": self.duplicate_count,
            "name_conflicts": self.name_conflict_count,
        }


class UploadRow(models.Model):
    """An entry: one row of one upload, what it held and what it did.

    Uploading a customer on three days gives one customer and three entries; together they are the
    customer's timeline of what changed.
    """

    # Both foreign keys are covered by the composite indexes below; one index less per row written.
    upload = models.ForeignKey(FileUpload, on_delete=models.CASCADE, related_name="entries", db_index=False)
    row_number = models.PositiveIntegerField(help_text="Row in the file as a spreadsheet numbers it.")
    outcome = models.CharField(max_length=16, choices=RowOutcome.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="upload_entries", db_index=False
    )
    phone = models.CharField(max_length=32, blank=True, help_text="Normalised when valid.")
    loan_id = models.CharField(max_length=64, blank=True)
    created_customer = models.BooleanField(default=False)
    created_loan = models.BooleanField(default=False)
    # The row exactly as the file had it: {"Mobile No.": "98765 43210", …}
    values = models.JSONField(default=dict)
    errors = models.JSONField(default=list, blank=True)
    # What the row changed: {"amount": ["50000.00", "42000.00"]}; created values have None as old.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    # A held name conflict's fate: back office accepted it (the customer renamed, the row applied) or rejected it.
    resolution = models.CharField(
        max_length=8, choices=ConflictResolution.choices, blank=True, default="", db_default=""
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["upload_id", "row_number"]
        constraints = [models.UniqueConstraint(fields=["upload", "row_number"], name="uploadrow_unique_row")]
        indexes = [
            models.Index(fields=["upload", "phone"]),
            models.Index(fields=["upload", "loan_id"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Upload #{self.upload_id} row {self.row_number}: {self.outcome}"
