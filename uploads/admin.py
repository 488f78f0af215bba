from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from voiceassist.common.admin import ReadOnlyAdmin, export_actions
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

from .forms import ColumnMappingForm, UploadForm
from .models import RUNNING_STATUSES, ColumnProfile, FileUpload, UploadRow, UploadStatus
from .selectors import ENTRIES_NOT_IN_FORCE, entry_standing, upload_entries, upload_failed_rows_csv
from .services import upload_columns_map, upload_confirm, upload_create, upload_revert_request
from .services.columns import upload_mapping_offer
from .services.conflicts import name_conflicts_resolve
from .services.intake import QueueUnavailable

PREVIEW_ROWS = 200


def progress_bar(upload: FileUpload) -> str:
    return format_html(
        '<progress max="100" value="{}" data-upload-progress="{}"></progress> <span>{}%</span>',
        upload.progress_percent,
        upload.pk,
        upload.progress_percent,
    )


@admin.register(FileUpload)
class FileUploadAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "original_name",
        "status",
        "mode",
        "progress",
        "rows_total",
        "created_count",
        "updated_count",
        "invalid_count",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("status", "mode", "dry_run", "profile")
    list_select_related = ("uploaded_by",)
    search_fields = ("original_name", "checksum")
    change_form_template = "admin/uploads/fileupload/change_form.html"
    add_form_template = "admin/uploads/fileupload/add_form.html"

    @admin.display(description="Progress")
    def progress(self, upload: FileUpload) -> str:
        return progress_bar(upload)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # uploads change only through their actions (confirm, revert)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/confirm/", wrap(require_POST(self.confirm_view)), name="uploads_fileupload_confirm"),
            path("<int:pk>/revert/", wrap(require_POST(self.revert_view)), name="uploads_fileupload_revert"),
            path("<int:pk>/columns/", wrap(require_POST(self.columns_view)), name="uploads_fileupload_columns"),
            path("<int:pk>/failed-rows.csv", wrap(self.failed_rows_view), name="uploads_fileupload_failed_rows"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                upload = upload_create(
                    file=form.cleaned_data["file"],
                    original_name=form.cleaned_data["file"].name,
                    uploaded_by=request.user,
                    mode=form.cleaned_data["mode"],
                    dry_run=form.cleaned_data["dry_run"],
                    stop_on_error=form.cleaned_data["stop_on_error"],
                    profile=form.cleaned_data["profile"],
                )
            except QueueUnavailable as exc:  # stored, and will be processed: show it, with why it waits
                self.message_user(request, exc.message, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:uploads_fileupload_change", args=[exc.details["upload_id"]]))
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                if upload.identical_to_id:
                    self.message_user(
                        request, f"{upload.identical_warning} Confirm to import it again.", messages.WARNING
                    )
                else:
                    self.message_user(request, f"Upload #{upload.pk} is queued.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:uploads_fileupload_change", args=[upload.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload customers",
            "form": form,
            "opts": self.opts,
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.add_form_template, context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        upload = get_object_or_404(
            FileUpload.objects.select_related("identical_to", "uploaded_by", "profile"), pk=object_id
        )
        if not self.has_view_permission(request, upload):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": str(upload),
            "upload": upload,
            "progress": progress_bar(upload),
            "entries": upload_entries(upload=upload)[:PREVIEW_ROWS],
            "entries_standing": entry_standing(upload=upload),
            "preview_limit": PREVIEW_ROWS,
            "has_failed_rows": upload.invalid_count + upload.duplicate_count > 0,
            "can_confirm": upload.status == UploadStatus.AWAITING_CONFIRMATION
            and upload.file_purged_at is None
            and self.has_add_permission(request),
            "retention_days": settings.UPLOAD_FILE_RETENTION_DAYS,
            "can_revert": upload.status in (UploadStatus.COMPLETED, UploadStatus.FAILED)
            and not upload.dry_run
            and self.has_delete_permission(request, upload),
            "running": upload.status in RUNNING_STATUSES,
            "mapping_form": (extra_context or {}).get("mapping_form") or self._mapping_form(request, upload),
            "opts": self.opts,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def _mapping_form(self, request: HttpRequest, upload: FileUpload) -> ColumnMappingForm | None:
        offer = upload_mapping_offer(upload) if self.has_add_permission(request) else None
        if offer is None:
            return None
        return ColumnMappingForm(headers=list(offer), initial_columns=offer)

    def columns_view(self, request: HttpRequest, pk: int):
        """The column mapping form's answer: read the file again with it, or show the form with what is wrong."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = get_object_or_404(FileUpload, pk=pk)
        offer = upload_mapping_offer(upload)
        if offer is None:
            self.message_user(
                request,
                f"Upload #{upload.pk} is {upload.get_status_display().lower()}: there are no columns to choose.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:uploads_fileupload_change", args=[pk]))
        form = ColumnMappingForm(request.POST, headers=list(offer), initial_columns=offer)
        if form.is_valid():
            try:
                upload_columns_map(
                    upload=upload, columns=form.columns(), save_as=form.cleaned_data["save_as"], actor=request.user
                )
            except QueueUnavailable as exc:  # the mapping is kept, and the upload will be processed
                self.message_user(request, exc.message, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:uploads_fileupload_change", args=[pk]))
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, "Columns chosen: the file is read again with them.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:uploads_fileupload_change", args=[pk]))
        return self.change_view(request, str(pk), extra_context={"mapping_form": form})

    def confirm_view(self, request: HttpRequest, pk: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._act(request, pk, upload_confirm, "Confirmed: the import is queued.")

    def revert_view(self, request: HttpRequest, pk: int):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return self._act(request, pk, upload_revert_request, "The revert is queued; this page shows its report.")

    def failed_rows_view(self, request: HttpRequest, pk: int):
        upload = get_object_or_404(FileUpload, pk=pk)
        if not self.has_view_permission(request, upload):
            raise PermissionDenied
        response = StreamingHttpResponse(upload_failed_rows_csv(upload=upload), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-failed-rows.csv"'
        return response

    def _act(self, request: HttpRequest, pk: int, service, success: str):
        upload = get_object_or_404(FileUpload, pk=pk)
        try:
            service(upload=upload, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:uploads_fileupload_change", args=[pk]))


@admin.register(ColumnProfile)
class ColumnProfileAdmin(admin.ModelAdmin):
    """Lenders' saved ways of naming columns; chosen when a file is uploaded, or saved from a mapping."""

    list_display = ("name", "header_line", "mapped_headers", "created_by", "updated_at")
    list_select_related = ("created_by",)
    search_fields = ("name",)
    fields = ("name", "columns", "header_line", "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description="Headers")
    def mapped_headers(self, profile: ColumnProfile) -> str:
        return ", ".join(f"{header} → {column or 'ignored'}" for header, column in profile.columns.items())

    def save_model(self, request, obj: ColumnProfile, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_event_record(
            actor=request.user,
            action="column_profile.updated" if change else "column_profile.created",
            target=obj,
            details={"columns": obj.columns, "header_line": obj.header_line},
        )


class InForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No (previews, reverted uploads)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(ENTRIES_NOT_IN_FORCE)
        if self.value() == "no":
            return queryset.filter(ENTRIES_NOT_IN_FORCE)
        return queryset


@admin.register(UploadRow)
class UploadRowAdmin(ReadOnlyAdmin):
    list_display = (
        "upload",
        "row_number",
        "outcome",
        "resolution",
        "standing",
        "customer",
        "phone",
        "loan_id",
        "created_at",
    )
    list_filter = (InForceFilter, "outcome", "resolution")
    list_select_related = ("upload", "customer")
    search_fields = ("phone", "loan_id")
    actions = [*export_actions("entries"), "accept_name_conflicts", "reject_name_conflicts"]

    def _may_rename(self, request: HttpRequest) -> bool:
        return request.user.has_perm("customers.change_customer")

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if not self._may_rename(request):
            actions.pop("accept_name_conflicts", None)
            actions.pop("reject_name_conflicts", None)
        return actions

    def _decide(self, request: HttpRequest, queryset, *, accept: bool) -> None:
        try:
            decided = name_conflicts_resolve(entries=queryset, accept=accept, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        verb = "accepted (customers renamed, rows applied)" if accept else "rejected (nothing changed)"
        self.message_user(request, f"{decided} held name conflict(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Accept the selected name conflicts (rename and apply)")
    def accept_name_conflicts(self, request: HttpRequest, queryset) -> None:
        self._decide(request, queryset, accept=True)

    @admin.action(description="Reject the selected name conflicts")
    def reject_name_conflicts(self, request: HttpRequest, queryset) -> None:
        self._decide(request, queryset, accept=False)

    @admin.display(description="In force?")
    def standing(self, entry: UploadRow) -> str:
        return entry_standing(upload=entry.upload) or "yes"
