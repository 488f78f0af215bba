from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html_join

from voiceassist.common.admin import ReadOnlyAdmin, export_actions
from voiceassist.common.exceptions import ApplicationError

from .models import Call, CallEvent, Campaign, Disposition, PromiseToPay, VoiceScript, WorkItem
from .selectors import campaign_metrics
from .services.campaigns import campaign_complete, campaign_pause, campaign_resume, campaign_start
from .services.dispatch import call_cancel


def _run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset, service, done: str) -> None:
    """Apply a service to each selected object; report successes and refusals in words."""
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


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "provider", "audience_upload", "window_start", "window_end", "started_at")
    list_filter = ("status", "provider")
    search_fields = ("name",)
    readonly_fields = ("status", "started_at", "completed_at", "created_by", "metrics")
    raw_id_fields = ("audience_upload",)
    actions = ["start", "pause", "resume", "complete"]

    @admin.display(description="Figures")
    def metrics(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return "—"
        figures = campaign_metrics(campaign=campaign)
        return format_html_join(
            "", "<div>{}: <strong>{}</strong></div>", ((k.replace("_", " "), v) for k, v in figures.items())
        )

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Start the selected campaigns", permissions=["change"])
    def start(self, request, queryset):
        _run(self, request, queryset, lambda c: campaign_start(campaign=c, actor=request.user), "campaign(s) started")

    @admin.action(description="Pause the selected campaigns", permissions=["change"])
    def pause(self, request, queryset):
        _run(self, request, queryset, lambda c: campaign_pause(campaign=c, actor=request.user), "campaign(s) paused")

    @admin.action(description="Resume the selected campaigns", permissions=["change"])
    def resume(self, request, queryset):
        _run(self, request, queryset, lambda c: campaign_resume(campaign=c, actor=request.user), "campaign(s) resumed")

    @admin.action(description="Complete the selected campaigns (cancel calls not yet placed)", permissions=["change"])
    def complete(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda c: campaign_complete(campaign=c, actor=request.user),
            "campaign(s) completed",
        )


class CallEventInline(admin.TabularInline):
    model = CallEvent
    fields = ("created_at", "kind", "status", "detail", "provider_event_id")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "customer",
        "loan",
        "campaign",
        "status",
        "disposition",
        "attempt",
        "scheduled_for",
        "blocked_reason",
    )
    list_filter = ("status", "provider", "disposition", "campaign")
    list_select_related = ("customer", "loan", "campaign", "disposition")
    search_fields = ("phone_dialled", "provider_call_id", "customer__full_name", "loan__loan_id")
    date_hierarchy = "scheduled_for"
    inlines = [CallEventInline]
    actions = ["cancel", *export_actions("calls")]

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("calls.change_call")  # for the cancel action; fields stay read-only

    @admin.action(description="Cancel the selected calls", permissions=["change"])
    def cancel(self, request, queryset):
        _run(self, request, queryset, lambda call: call_cancel(call=call, actor=request.user), "call(s) canceled")


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "layer", "is_contact", "is_right_party_contact", "is_final")
    list_filter = ("layer",)


@admin.register(VoiceScript)
class VoiceScriptAdmin(admin.ModelAdmin):
    list_display = ("language", "greeting")


@admin.register(PromiseToPay)
class PromiseToPayAdmin(admin.ModelAdmin):
    list_display = ("customer", "loan", "amount", "promised_date", "status", "source_call", "created_at")
    list_filter = ("status",)
    list_select_related = ("customer", "loan")
    search_fields = ("customer__full_name", "customer__phone", "loan__loan_id")
    raw_id_fields = ("customer", "loan", "source_call", "created_by")
    readonly_fields = ("status", "resolved_at", "outstanding_at_promise")
    actions = export_actions("promises")


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ("kind", "customer", "loan", "due_at", "claimed_by", "done_at")
    list_filter = ("kind",)
    list_select_related = ("customer", "loan", "claimed_by")
    raw_id_fields = ("customer", "loan", "call", "promise", "claimed_by")
