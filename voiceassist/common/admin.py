from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from .exceptions import ApplicationError
from .models import AuditEvent, WorkerHeartbeat
from .tasks import worker_heartbeat


def admin_run_service(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset, service: Callable[[Any], Any], done: str
) -> None:
    """An admin action's work: the service on each selected object, successes and refusals told in words."""
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} {done}.", messages.SUCCESS)


def admin_clipped(text: object, *, title: object = None, width: str = "") -> SafeString:
    """A list cell kept to one line: long text ends in an ellipsis, and the whole of it (or ``title``) is the
    cell's tooltip. ``width``: "" (13em), "narrow" (9em), "short" (7em) or "wide" (24em), as the back office's
    admin CSS sets them."""
    text = "" if text is None else str(text)
    return format_html(
        '<span class="clip {}" title="{}">{}</span>', width, text if title is None else str(title), text or "—"
    )


def admin_day(moment: datetime | None, *, with_time: bool = False) -> SafeString | str:
    """A moment in a list, short: ``22 Nov 2026`` with the time in its tooltip, or ``22 Nov 2026, 14:05``
    (the office's time)."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    full = f"{local:%-d %b %Y, %H:%M}"
    return format_html('<span title="{}">{}</span>', full, full if with_time else f"{local:%-d %b %Y}")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"size": 60}))


def admin_reason_step(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset, *, action: str, title: str, intro: str, button: str
) -> tuple[str | None, TemplateResponse | None]:
    """An action that needs a reason: ``(reason, None)`` once one was given, else ``(None, the page asking)``."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        return form.cleaned_data["reason"], None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "button": button,
        "action": action,
        "objects": queryset,
        "form": form,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return None, TemplateResponse(request, "admin/reason_action.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the product writes and people only read (audit events, upload entries)."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail; each action in words (``AuditAction``), filterable by them."""

    list_display = ("when", "actor", "what", "target_type", "target")
    list_filter = ("action", "target_type")
    list_select_related = ("actor", "target_type")
    search_fields = ("action", "target_repr", "target_id", "actor__username")
    date_hierarchy = "created_at"

    @admin.display(description="When", ordering="created_at")
    def when(self, event: AuditEvent) -> str:
        return admin_day(event.created_at, with_time=True)

    @admin.display(description="Action", ordering="action")
    def what(self, event: AuditEvent) -> str:
        return admin_clipped(event.get_action_display(), title=event.action)

    @admin.display(description="Target", ordering="target_repr")
    def target(self, event: AuditEvent) -> str:
        return admin_clipped(event.target_repr)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """When each worker last ran a task; "Ping workers" queues one now to check they are alive."""

    list_display = ("hostname", "seen_at")
    readonly_fields = ("hostname", "seen_at")
    change_list_template = "admin/common/workerheartbeat/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        ping = self.admin_site.admin_view(require_POST(self.ping_view))
        return [path("ping/", ping, name="common_workerheartbeat_ping"), *super().get_urls()]

    def ping_view(self, request: HttpRequest) -> HttpResponseRedirect:
        if not self.has_view_permission(request):
            raise PermissionDenied
        worker_heartbeat.delay()
        self.message_user(request, "Ping queued: refresh this page in a few seconds.", messages.INFO)
        return HttpResponseRedirect(reverse("admin:common_workerheartbeat_changelist"))
