from django.contrib import admin
from django.utils.html import format_html, format_html_join

from customers.admin import CustomerAdmin as BaseCustomerAdmin
from customers.models import Customer, Language
from voiceassist.common.admin import ReadOnlyAdmin, admin_run_service, export_actions

from .compliance import GuardDecision, guard_check_call, guard_explain
from .models import Call, CallEvent, CallStatus, Campaign, CampaignStatus, Disposition, PromiseToPay, WorkItem
from .selectors import campaign_metrics
from .selectors_transcripts import call_conversations
from .services.campaigns import (
    campaign_complete,
    campaign_left_out,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
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


def left_out_words(left_out: dict[str, int]) -> str:
    """``{"mr": 7, "ta": 5}`` as "12 customers (Marathi 7, Tamil 5): the bot has no script in their language"."""
    counts = sorted(((count, code) for code, count in left_out.items() if count), key=lambda item: (-item[0], item[1]))
    if not counts:
        return "None: the bot speaks the language of every customer in the audience."
    total = sum(count for count, _ in counts)
    languages = ", ".join(
        f"{Language(code).label if code in Language.values else code or 'no language'} {count}"
        for count, code in counts
    )
    return f"{total} customer{'s' if total != 1 else ''} ({languages}): the bot has no script in their language"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "provider", "audience_upload", "window_start", "window_end", "started_at")
    list_filter = ("status", "provider")
    search_fields = ("name",)
    readonly_fields = ("status", "started_at", "completed_at", "created_by", "left_out", "metrics")
    raw_id_fields = ("audience_upload",)
    actions = ["start", "pause", "resume", "complete"]
    fieldsets = (
        (None, {"fields": ("name", "status", "provider")}),
        (
            "Audience",
            {
                "fields": (
                    "audience_upload",
                    "audience_states",
                    ("audience_due_from", "audience_due_to"),
                    ("audience_min_days_past_due", "audience_max_days_past_due"),
                    "left_out",
                )
            },
        ),
        ("Calling", {"fields": (("window_start", "window_end"), "max_attempts", "retry_policy")}),
        (
            "Conversation",
            {
                "description": "Empty texts: the defaults in settings (VOICE_LENDER_NAME, VOICE_CONTACT_PERSON, "
                "VOICE_CALLBACK_NUMBER, VOICE_TRANSFER_NUMBER).",
                "fields": (
                    "lender_name",
                    "contact_person",
                    "callback_number",
                    "transfer_number",
                    "record_calls",
                    "machine_message",
                    "second_check",
                ),
            },
        ),
        ("Progress", {"fields": ("created_by", "started_at", "completed_at", "metrics")}),
    )

    @admin.display(description="Left out (no script in their language)")
    def left_out(self, campaign: Campaign) -> str:
        """A draft's audience as it stands now; a started campaign's as it was when it started."""
        if not campaign.pk:
            return "—"
        if campaign.status == CampaignStatus.DRAFT:
            return left_out_words(campaign_left_out(campaign=campaign))
        return left_out_words(campaign.audience_left_out or {})

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
        fields = list(super().get_readonly_fields(request, obj))
        after_transcript = fields.index("transcript") + 1
        return ["why_not_now", *fields[:after_transcript], "conversation", *fields[after_transcript:]]

    @admin.display(description="Conversation")
    def conversation(self, call: Call) -> str:
        """Turn by turn, with what the bot understood; calls from before turns were kept show their transcript.
        Everything heard is the customer's own words: escaped."""
        lines = call_conversations(call_ids=[call.pk]).get(call.pk) if call.pk else None
        if lines:
            return format_html_join(
                "",
                '<div class="conversation-line" data-line="{}">{}</div>',
                ((line.speaker, str(line)) for line in lines),
            )
        if call.transcript:
            return format_html_join("", "<div>{}</div>", ((line,) for line in call.transcript.splitlines()))
        return "—"

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
