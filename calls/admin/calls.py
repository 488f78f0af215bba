"""Calls in the back office: read, searched and exported, canceled through the dispatch service, each with
its events, its conversation and the guard's word on why it is not placed now."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from exports.actions import export_actions
from voiceassist.common.admin import ReadOnlyAdmin, admin_clipped, admin_run_service

from ..compliance import guard_check_call
from ..models import Call, CallEvent, CallStatus, Disposition
from ..selectors_transcripts import call_conversations
from ..services.dispatch import call_cancel
from .guard import decision_html


class CallEventInline(admin.TabularInline):
    model = CallEvent
    fields = ("created_at", "kind", "status", "detail", "provider_event_id")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    # What back office looks for, one line per call, without scrolling sideways on a 1,366 px screen: long
    # names are cut (whole in the tooltip, with the phone, the loan and the campaign).
    list_display = ("who", "call_status", "disposition_label", "when", "held_back")
    list_display_links = ("who",)
    list_filter = ("status", "provider", "disposition", "blocked_code", "campaign")
    list_select_related = ("customer", "loan", "campaign", "disposition")
    search_fields = ("phone_dialled", "provider_call_id", "customer__full_name", "loan__loan_id")
    date_hierarchy = "scheduled_for"
    inlines = [CallEventInline]
    actions = ["cancel", *export_actions("calls")]

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, call: Call) -> str:
        about = f"loan {call.loan}" if call.loan else "all their loans"
        campaign = f"campaign “{call.campaign.name}”" if call.campaign else "no campaign"
        return admin_clipped(call.customer.full_name, title=f"Call #{call.pk}: {call.customer} — {about} — {campaign}")

    @admin.display(description="Status", ordering="status")
    def call_status(self, call: Call) -> str:
        return admin_clipped(call.get_status_display(), width="short")

    @admin.display(description="Outcome", ordering="disposition__label")
    def disposition_label(self, call: Call) -> str:
        return admin_clipped(call.disposition.label if call.disposition else "", width="narrow")

    @admin.display(description="Scheduled for", ordering="scheduled_for")
    def when(self, call: Call) -> str:
        return format_html(
            '<span title="Attempt {}">{}</span>',
            call.attempt,
            f"{timezone.localtime(call.scheduled_for):%-d %b, %H:%M}",
        )

    @admin.display(description="Held back for", ordering="blocked_code")
    def held_back(self, call: Call) -> str:
        """The guard's last refusal: its code, its words in the tooltip."""
        if not call.blocked_code:
            return "—"
        return admin_clipped(call.blocked_code, title=call.blocked_reason, width="narrow")

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
            return decision_html(guard_check_call(call=call))
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
