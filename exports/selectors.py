"""Reads for exports: the rows of an export, and the jobs a user may see and download."""

from collections.abc import Iterator, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files import File
from django.db.models import Model, QuerySet
from django.http import Http404

from voiceassist.common.exports import EXPORTS, Export
from voiceassist.common.roles import user_is_back_office

from .errors import ExportExpired, ExportForbidden, ExportNotReady, ExportTooLarge
from .models import ExportJob, ExportJobStatus

# Rows read per query. Django prefetches related rows (a customer's loans) chunk by chunk, so a long export
# runs a few hundred keyed reads rather than import-export's page-by-page OFFSET reads, which slow down
# the further they go.
CHUNK_SIZE = 2000


def export_get(*, name: str) -> Export:
    """The export called ``name``; a 404 for any other name."""
    try:
        return EXPORTS[name]
    except KeyError:
        raise Http404(f"There is no export called “{name}”.") from None


def export_permission_check(*, user: AbstractBaseUser | AnonymousUser, export: Export) -> None:
    if not user.has_perm(export.permission):
        raise ExportForbidden(f"Your account may not export {export.label}. Ask an administrator for access.")


def export_selected(*, export: Export, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` (an admin selection), in the export's order and with its related rows."""
    return export.rows().filter(pk__in=queryset.values("pk"))


def export_count(*, export: Export, ids: Sequence[int] | None = None) -> int:
    return len(ids) if ids is not None else export.rows().count()


def export_is_direct(*, rows: int) -> bool:
    """Small enough to send in the request that asked for it (before the web server's timeout)."""
    return rows <= settings.EXPORT_DIRECT_MAX_ROWS


def export_direct_check(*, export: Export, rows: int, fmt: str) -> None:
    """Refuse a direct download too large to finish before the web server's timeout, saying what to do."""
    if export_is_direct(rows=rows):
        return
    limit = settings.EXPORT_DIRECT_MAX_ROWS
    raise ExportTooLarge(
        f"The {export.label} export has {rows:,} rows, more than the {limit:,} a direct download can carry. "
        f'Start an export job instead: POST /api/v1/exports/ with {{"name": "{export.name}", "format": "{fmt}"}}, '
        "poll the job's url until its status is completed, then fetch its download_url.",
        details={"rows": rows, "limit": limit, "job": {"name": export.name, "format": fmt}},
    )


def export_objects(
    *, export: Export, queryset: QuerySet | None = None, ids: Sequence[int] | None = None
) -> Iterator[Model]:
    """The objects of an export in its order, ``CHUNK_SIZE`` at a time: all of them, ``queryset``, or ``ids``.

    ``ids`` are read a slice at a time (a list of 100,000 would not fit in one SQLite query); they were
    stored in the export's order, so the slices follow one another.
    """
    if ids is not None:
        for start in range(0, len(ids), CHUNK_SIZE):
            yield from export.rows().filter(pk__in=ids[start : start + CHUNK_SIZE])
        return
    yield from (queryset if queryset is not None else export.rows()).iterator(chunk_size=CHUNK_SIZE)


def export_job_visible(*, user: AbstractBaseUser | AnonymousUser, job: ExportJob) -> bool:
    """Back office sees every job; anyone else only their own."""
    if not user.is_authenticated:
        return False
    return job.requested_by_id == user.pk or user_is_back_office(user)


def export_job_get(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> ExportJob:
    """The job, for someone who may see it and its rows; a 404 for one who may not see it at all."""
    job = ExportJob.objects.defer("selection").select_related("requested_by").filter(pk=pk).first()
    if job is None or not export_job_visible(user=user, job=job):
        raise Http404("No such export job.")
    export = EXPORTS.get(job.name)
    if export is not None:
        export_permission_check(user=user, export=export)
    return job


def export_job_file(*, job: ExportJob) -> File:
    """The job's stored file, opened through the storage API (the worker that wrote it may be elsewhere)."""
    if job.status == ExportJobStatus.FAILED:
        raise ExportNotReady(f"Export #{job.pk} failed, so it has no file: {job.error_message}")
    if job.status != ExportJobStatus.COMPLETED:
        raise ExportNotReady(
            f"Export #{job.pk} is still {job.get_status_display().lower()} ({job.progress_percent}%). "
            "Download it once it is completed."
        )
    if job.is_expired:
        raise ExportExpired(
            f"The file of export #{job.pk} was deleted {settings.EXPORT_RETENTION_HOURS} hours after it was "
            "made. Start the export again."
        )
    try:
        return job.file.open("rb")
    except FileNotFoundError:
        raise ExportExpired(f"The file of export #{job.pk} is no longer stored. Start the export again.") from None
