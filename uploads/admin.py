from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from customers.admin import CustomerAdmin as BaseCustomerAdmin
from customers.models import Customer
from exports.actions import export_actions
from voiceassist.common.admin import ReadOnlyAdmin
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .changes import change_lines
from .models import ColumnProfile, FileUpload, UploadRow
from .selectors import ENTRIES_NOT_IN_FORCE, entry_standing
from .services.conflicts import name_conflicts_resolve


def progress_bar(upload: FileUpload) -> str:
    return format_html(
        '<progress max="100" value="{}" data-upload-progress="{}"></progress> <span>{}%</span>',
        upload.progress_percent,
        upload.pk,
        upload.progress_percent,
    )


@admin.register(FileUpload)
class FileUploadAdmin(admin.ModelAdmin):
    """The list of uploads. Uploading a file and an upload's own page are the back office's upload pages
    (``/uploads/new/``, ``/uploads/<id>/``): the admin's add and change pages lead there."""

    list_display = (
        "id",
        "page_link",
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
    list_display_links = None
    list_filter = ("status", "mode", "dry_run", "profile")
    list_select_related = ("uploaded_by",)
    search_fields = ("original_name", "checksum")

    @admin.display(description="File", ordering="original_name")
    def page_link(self, upload: FileUpload) -> str:
        return format_html('<a href="{}">{}</a>', reverse("upload-page", args=[upload.pk]), upload.original_name)

    @admin.display(description="Progress")
    def progress(self, upload: FileUpload) -> str:
        return progress_bar(upload)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # uploads change only through their actions (confirm, map columns, revert) on their page

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("upload-new"))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        upload = self.get_object(request, object_id)
        if upload is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return HttpResponseRedirect(reverse("upload-page", args=[upload.pk]))


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
            action=AuditAction.COLUMN_PROFILE_UPDATED if change else AuditAction.COLUMN_PROFILE_CREATED,
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


class UploadEntryInline(admin.TabularInline):
    """The customer's timeline: each upload row that named them and what it changed."""

    model = UploadRow
    verbose_name = "upload entry"
    verbose_name_plural = "Upload timeline (newest first)"
    fields = ("created_at", "upload", "row_number", "outcome", "standing", "what_changed")
    readonly_fields = fields
    ordering = ("-created_at", "-upload_id", "-row_number")
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="In force?")
    def standing(self, entry: UploadRow) -> str:
        return entry_standing(upload=entry.upload) or "yes"

    @admin.display(description="Changes / errors")
    def what_changed(self, entry: UploadRow) -> str:
        return "; ".join(change_lines(entry.changes, entry.customer) + entry.errors) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("upload", "customer")


# The customer's page in the admin gains its upload timeline here: customers know nothing of uploads.
admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerAdmin(BaseCustomerAdmin):
    inlines = [*BaseCustomerAdmin.inlines, UploadEntryInline]
