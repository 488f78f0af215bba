from django.conf import settings
from django.db import models
from django.utils import timezone

from voiceassist.common.models import BaseModel


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ExportJob(BaseModel):
    """One export too large to send at once: written by a worker into storage, downloaded later.

    The file lives in Django's storage (``default_storage``), so the web process that serves it and the
    worker that wrote it need not share a disk. It is deleted ``EXPORT_RETENTION_HOURS`` after it was
    written (``expires_at``); the job stays, as the record of who exported what.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="export_jobs"
    )
    name = models.CharField(max_length=32, help_text="Which export: customers, entries, calls or promises.")
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    # {} for every row of the export; {"ids": [...]} (in the file's order) for rows chosen in the admin.
    selection = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    # Deliveries of the task that began writing: a later one takes over, and an earlier one still writing
    # (its worker thought lost) notices and stops.
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/%d/", blank=True, max_length=255)
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True, help_text="When the file is deleted.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self) -> str:
        return f"Export #{self.pk} {self.name} ({self.get_format_display()})"

    @property
    def progress_percent(self) -> int:
        if self.status == ExportJobStatus.COMPLETED:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))

    @property
    def is_expired(self) -> bool:
        """The file is gone, or due to go: a completed job whose retention has passed."""
        return self.status == ExportJobStatus.COMPLETED and (not self.file or self.expires_at <= timezone.now())

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportJobStatus.COMPLETED and not self.is_expired

    @property
    def download_name(self) -> str:
        return f"{self.name}-{timezone.localtime(self.created_at):%Y%m%d-%H%M}-{self.pk}.{self.format}"
