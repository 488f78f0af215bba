from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from customers.admin import CustomerAdmin as BaseCustomerAdmin
from customers.models import Customer, Language
from voiceassist.common.admin import ReadOnlyAdmin, admin_run_service, export_actions

from .compliance import GuardDecision, guard_check_call, guard_explain
from .figures import figures_compute
from .models import Call, CallEvent, CallStatus, Campaign, CampaignStatus, Disposition, PromiseToPay, WorkItem
from .selectors_transcripts import call_conversations
from .services.campaigns import (
    campaign_complete,
    campaign_left_out,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from .services.dispatch import call_cancel
from .services.promises import promise_create, promise_default_amount, promise_problem


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


# Reasons other than a language a customer is left out of a campaign for (``campaign_left_out``).
_LEFT_OUT_FOR_NUMBER = {
    "landline": "their phone is a landline and this campaign does not call landlines",
    "outside_countries": "their phone is outside the countries this campaign calls",
}


def _customers(count: int) -> str:
    return f"{count} customer{'s' if count != 1 else ''}"


def left_out_words(left_out: dict[str, int]) -> str:
    """``{"mr": 7, "ta": 5, "landline": 2}`` as "12 customers (Marathi 7, Tamil 5): the bot has no script in their
    language; 2 customers: their phone is a landline and this campaign does not call landlines"."""
    by_number = [f"{_customers(left_out[k])}: {words}" for k, words in _LEFT_OUT_FOR_NUMBER.items() if left_out.get(k)]
    languages = {code: count for code, count in left_out.items() if code not in _LEFT_OUT_FOR_NUMBER}
    counts = sorted(((count, code) for code, count in languages.items() if count), key=lambda item: (-item[0], item[1]))
    parts = []
    if counts:
        total = sum(count for count, _ in counts)
        names = ", ".join(
            f"{Language(code).label if code in Language.values else code or 'no language'} {count}"
            for count, code in counts
        )
        parts.append(f"{_customers(total)} ({names}): the bot has no script in their language")
    if not parts and not by_number:
        return "None: the bot speaks the language of every customer in the audience."
    return "; ".join([*parts, *by_number])


class FiguresRangeForm(forms.Form):
    """The figures page's ``?from=&to=``: local days on which the calls started, both included."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is added here rather than declared.
        self.fields["from"] = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", "The range ends before it starts.")
        return data


def figures_context(request: HttpRequest, *, campaign: Campaign | None = None) -> dict:
    """The range form and, when it is valid, the figures it asks for."""
    form = FiguresRangeForm(request.GET)
    if not form.is_valid():
        return {"figures_form": form, "figures": None}
    period = {"date_from": form.cleaned_data["from"], "date_to": form.cleaned_data["to"]}
    return {"figures_form": form, "figures": figures_compute(campaign=campaign, **period)}


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "provider", "audience_upload", "window_start", "window_end", "started_at")
    list_filter = ("status", "provider")
    search_fields = ("name",)
    readonly_fields = ("status", "started_at", "completed_at", "created_by", "left_out")
    change_form_template = "admin/calls/campaign/change_form.html"
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
        (
            "Calling",
            {
                "fields": (
                    ("window_start", "window_end"),
                    "max_attempts",
                    "retry_policy",
                    ("call_landlines", "phone_countries"),
                )
            },
        ),
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
        ("Progress", {"fields": ("created_by", "started_at", "completed_at")}),
    )

    @admin.display(description="Left out (no script in their language)")
    def left_out(self, campaign: Campaign) -> str:
        """A draft's audience as it stands now; a started campaign's as it was when it started."""
        if not campaign.pk:
            return "—"
        if campaign.status == CampaignStatus.DRAFT:
            return left_out_words(campaign_left_out(campaign=campaign))
        return left_out_words(campaign.audience_left_out or {})

    def get_urls(self):
        return [
            path("figures/", self.admin_site.admin_view(self.figures_view), name="calls_campaign_figures"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None and request.method == "GET":
            extra_context = {**(extra_context or {}), **figures_context(request, campaign=campaign)}
        return super().change_view(request, object_id, form_url, extra_context)

    def figures_view(self, request: HttpRequest):
        """Every call's figures (all campaigns, and calls made outside any), over a range of days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Figures", "opts": self.opts}
        return TemplateResponse(request, "admin/calls/figures.html", {**context, **figures_context(request)})

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


class PromiseAdminForm(forms.ModelForm):
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="Empty: the instalment due, else all owed."
    )
    grace_days = forms.IntegerField(min_value=0, max_value=30, required=False, help_text="Empty: the default.")

    class Meta:
        model = PromiseToPay
        fields = ("loan", "amount", "promised_date", "grace_days")

    def clean(self):
        data = super().clean()
        loan, promised_date = data.get("loan"), data.get("promised_date")
        if loan is not None and promised_date is not None:
            amount = data.get("amount")
            problem = promise_problem(
                amount=amount if amount is not None else promise_default_amount(loan),
                promised_date=promised_date,
                outstanding=loan.outstanding_amount,
                today=timezone.localdate(),
            )
            if problem is not None:
                self.add_error(problem.field, problem.message)
        return data


@admin.register(PromiseToPay)
class PromiseToPayAdmin(admin.ModelAdmin):
    """Promises are taken through the promise service (its rules, the replacing of an open promise, the
    audit and the payment link) and then only read: what became of one is the payments' to say."""

    form = PromiseAdminForm
    list_display = ("customer", "loan", "amount", "promised_date", "status", "paid_amount", "source_call", "created_at")
    list_filter = ("status",)
    list_select_related = ("customer", "loan")
    search_fields = ("customer__full_name", "customer__phone", "loan__loan_id")
    raw_id_fields = ("loan",)
    actions = export_actions("promises")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("loan", "amount", "promised_date", "grace_days")
        return (
            "customer",
            "loan",
            "amount",
            "promised_date",
            "grace_days",
            "status",
            "paid_amount",
            "outstanding_at_promise",
            "source_call",
            "replaced_by",
            "created_by",
            "resolved_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        promise = promise_create(
            loan=data["loan"],
            amount=data.get("amount"),
            promised_date=data["promised_date"],
            grace_days=data.get("grace_days"),
            actor=request.user,
        )
        obj.pk = promise.pk
        obj.__dict__.update(promise.__dict__)


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
