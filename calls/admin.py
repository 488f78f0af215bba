from django.contrib import admin
from django.utils.html import format_html, format_html_join

from customers.admin import CustomerAdmin as BaseCustomerAdmin
from customers.models import Customer
from voiceassist.common.admin import ReadOnlyAdmin, admin_run_service, export_actions

from .compliance import GuardDecision, guard_check_call, guard_explain
from .models import Call, CallEvent, CallStatus, Campaign, Disposition, PromiseToPay, VoiceScript, WorkItem
from .selectors import campaign_metrics
from .services.campaigns import campaign_complete, campaign_pause, campaign_resume, campaign_start
from .services.dispatch import call_cancel


def _decision_html(decision: GuardDecision) -> str:
    """The guard's answer as back office reads it: allowed, or the reason and the next allowed time."""
    if decision:
        return format_html('<span class="guard-allowed">{}</span>', "Allowed now.")
    when = decision.next_allowed_at
    return format_html(
        '<strong>{}</strong>: {} <br><span class="guard-next">Next allowed: {}</span>',
        decision.code,
        decision.message,
        f"{when:%a %-d %b %Y, %H:%M} ({when.tzinfo}, the customer's time)"
        if when
        else "only when back office lifts it",
    )


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
        admin_run_service(
            self, request, queryset, lambda c: campaign_start(campaign=c, actor=request.user), "campaign(s) started"
        )

    @admin.action(description="Pause the selected campaigns", permissions=["change"])
    def pause(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda c: campaign_pause(campaign=c, actor=request.user), "campaign(s) paused"
        )

    @admin.action(description="Resume the selected campaigns", permissions=["change"])
    def resume(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda c: campaign_resume(campaign=c, actor=request.user), "campaign(s) resumed"
        )

    @admin.action(description="Complete the selected campaigns (cancel calls not yet placed)", permissions=["change"])
    def complete(self, request, queryset):
        admin_run_service(
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
        "blocked_code",
    )
    list_filter = ("status", "provider", "disposition", "blocked_code", "campaign")
    list_select_related = ("customer", "loan", "campaign", "disposition")
    search_fields = ("phone_dialled", "provider_call_id", "customer__full_name", "loan__loan_id")
    date_hierarchy = "scheduled_for"
    inlines = [CallEventInline]
    actions = ["cancel", *export_actions("calls")]

    def get_readonly_fields(self, request, obj=None):
        return ["why_not_now", *super().get_readonly_fields(request, obj)]

    @admin.display(description="Why not now?")
    def why_not_now(self, call: Call) -> str:
        if call.status in (CallStatus.SCHEDULED, CallStatus.QUEUED):
            return _decision_html(guard_check_call(call=call))
        if call.blocked_code:
            return format_html("Last held back for <strong>{}</strong>: {}", call.blocked_code, call.blocked_reason)
        return "—"

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("calls.change_call")  # for the cancel action; fields stay read-only

    @admin.action(description="Cancel the selected calls", permissions=["change"])
    def cancel(self, request, queryset):
        admin_run_service(
            self, request, queryset, lambda call: call_cancel(call=call, actor=request.user), "call(s) canceled"
        )


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


# The customer's page in the admin, with the guard's answer for each of their loans. The customers
# app cannot ask the guard (it lives above it), so calls extends its admin.
admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerAdmin(BaseCustomerAdmin):
    readonly_fields = ("why_not_now", *BaseCustomerAdmin.readonly_fields)

    @admin.display(description="Why not now? (the bot, now)")
    def why_not_now(self, customer: Customer) -> str:
        if not customer.pk:
            return "—"
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            ((what, _decision_html(decision)) for what, decision in guard_explain(customer=customer)),
        )
