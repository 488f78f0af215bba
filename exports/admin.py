"""Export jobs in the back office: every job, read-only, with its progress and a link to its file."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from voiceassist.common.admin import ReadOnlyAdmin
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.exports import CONTENT_TYPES
from voiceassist.common.roles import user_is_back_office

from .models import ExportJob, ExportJobStatus
from .selectors import export_job_file, export_job_get

# Seconds between reloads of a job's page while its file is being written.
REFRESH_SECONDS = 3


def progress_bar(job: ExportJob) -> str:
    percent = job.progress_percent
    return format_html('<progress max="100" value="{}"></progress> <span>{}%</span>', percent, percent)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "name",
        "format",
        "status",
        "progress",
        "rows_total",
        "requested_by",
        "created_at",
        "expires_at",
        "download",
    )
    list_filter = ("status", "name", "format")
    list_select_related = ("requested_by",)
    search_fields = ("requested_by__username",)
    date_hierarchy = "created_at"
    change_form_template = "admin/exports/exportjob/change_form.html"

    # Jobs are written by the product and read by back office (written, never edited: ``ReadOnlyAdmin``).
    # The file itself needs the export's own permission too.
    def has_module_permission(self, request) -> bool:
        return user_is_back_office(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return user_is_back_office(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("selection")  # an admin selection can hold 100,000 ids

    @admin.display(description="Progress")
    def progress(self, job: ExportJob) -> str:
        return progress_bar(job)

    @admin.display(description="File")
    def download(self, job: ExportJob) -> str:
        if job.is_downloadable:
            return format_html('<a href="{}">Download</a>', reverse("admin:exports_exportjob_download", args=[job.pk]))
        return "expired" if job.is_expired else "—"

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [path("<int:pk>/download/", download, name="exports_exportjob_download"), *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        if job is None:
            raise Http404("No such export job.")
        running = job.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)
        context = {
            **self.admin_site.each_context(request),
            "title": str(job),
            "job": job,
            "progress": progress_bar(job),
            "running": running,
            "refresh_seconds": REFRESH_SECONDS,
            "opts": self.opts,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def download_view(self, request: HttpRequest, pk: int):
        try:
            job = export_job_get(user=request.user, pk=pk)
            file = export_job_file(job=job)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:exports_exportjob_change", args=[pk]))
        return FileResponse(
            file, as_attachment=True, filename=job.download_name, content_type=CONTENT_TYPES[job.format]
        )
