from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from customers.admin import CustomerAdmin as BaseCustomerAdmin
from customers.models import Customer, Language
from voiceassist.common.admin import ReadOnlyAdmin, admin_clipped, admin_day, admin_run_service, export_actions
from voiceassist.common.exceptions import ApplicationError

from .compliance import GuardDecision, guard_check_call, guard_explain
from .figures import figures_compute
from .forms import CampaignAdminForm, upload_label
from .models import Call, CallEvent, CallStatus, Campaign, CampaignStatus, Disposition, PromiseToPay, WorkItem
from .selectors_transcripts import call_conversations
from .services.api import campaign_create
from .services.campaigns import (
    CAMPAIGN_SETTINGS,
    CAMPAIGN_TRANSITIONS,
    AudiencePreview,
    campaign_audience_preview,
    campaign_complete,
    campaign_left_out,
    campaign_pause,
    campaign_resume,
    campaign_start,
    campaign_update,
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
    return f"{count:,} customer{'s' if count != 1 else ''}"


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


def audience_preview_html(preview: AudiencePreview) -> str:
    """The preview in words: the audience's size, then whom the guard would hold back today, by reason."""
    if not preview.loans:
        return format_html('<div class="audience-preview">{}</div>', "No active loan matches the audience now.")
    size = format_html(
        "{} loan{} of {} (one call each).",
        f"{preview.loans:,}",
        "" if preview.loans == 1 else "s",
        _customers(preview.customers),
    )
    if not preview.judged_customers:
        return format_html('<div class="audience-preview">{}</div>', size)
    of_whom = (
        format_html(
            "Of the first {} loans ({}), judged so that this page stays quick,",
            f"{preview.judged_loans:,}",
            _customers(preview.judged_customers),
        )
        if preview.capped
        else "Of them,"
    )
    if not preview.held_back:
        verdict = format_html(
            "{} the compliance guard would let the bot call every one today (within their calling hours).", of_whom
        )
        return format_html('<div class="audience-preview">{} {}</div>', size, verdict)
    held = sum(preview.held_back.values())
    reasons = format_html_join(
        "",
        "<li><strong>{}</strong>: {} <span class='note'>(e.g. “{}”)</span></li>",
        ((code, _customers(count), preview.example[code]) for code, count in preview.held_back.items()),
    )
    return format_html(
        '<div class="audience-preview">{} {} the compliance guard would hold back {} for all of today:<ul>{}</ul>'
        "</div>",
        size,
        of_whom,
        _customers(held),
        reasons,
    )


# The campaign's own page: its next steps, as buttons (the transitions map decides which are shown).
_LIFECYCLE = {
    "start": ("Start", campaign_start, CampaignStatus.RUNNING, ""),
    "pause": ("Pause", campaign_pause, CampaignStatus.PAUSED, ""),
    "resume": ("Resume", campaign_resume, CampaignStatus.RUNNING, ""),
    "complete": (
        "Complete",
        campaign_complete,
        CampaignStatus.COMPLETED,
        "Complete this campaign? Calls not yet placed will be canceled.",
    ),
}


def _lifecycle_steps(campaign: Campaign) -> list[str]:
    """Start or resume (whichever moves it to running from where it is), pause, complete."""
    steps = []
    for step, (_, _, to, _) in _LIFECYCLE.items():
        if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
            continue
        if step == "start" and campaign.status != CampaignStatus.DRAFT:
            continue
        if step == "resume" and campaign.status != CampaignStatus.PAUSED:
            continue
        steps.append(step)
    return steps


def _error_words(exc: ApplicationError | ValidationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are created and changed through the campaign services (checked and audited like the API's);
    a started campaign's audience is shown, not edited (``CampaignAdminForm``); a completed one is only read."""

    form = CampaignAdminForm
    list_display = ("campaign_name", "status", "provider", "audience", "calling_hours", "started")
    list_filter = ("status", "provider")
    list_select_related = ("audience_upload",)
    search_fields = ("name",)
    readonly_fields = ("status", "started_at", "completed_at", "created_by", "left_out", "audience_preview")
    change_form_template = "admin/calls/campaign/change_form.html"
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
                    "audience_preview",
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

    @admin.display(description="Name", ordering="name")
    def campaign_name(self, campaign: Campaign) -> str:
        return admin_clipped(campaign.name)

    @admin.display(description="Upload", ordering="audience_upload")
    def audience(self, campaign: Campaign) -> str:
        if campaign.audience_upload is None:
            return "—"
        return admin_clipped(upload_label(campaign.audience_upload), width="narrow")

    @admin.display(description="Calling hours")
    def calling_hours(self, campaign: Campaign) -> str:
        return f"{campaign.window_start:%H:%M}–{campaign.window_end:%H:%M}"

    @admin.display(description="Started", ordering="started_at")
    def started(self, campaign: Campaign) -> str:
        return admin_day(campaign.started_at)

    @admin.display(description="Left out (no script in their language)")
    def left_out(self, campaign: Campaign) -> str:
        """A draft's audience as it stands now; a started campaign's as it was when it started."""
        if not campaign.pk:
            return "—"
        if campaign.status == CampaignStatus.DRAFT:
            return left_out_words(campaign_left_out(campaign=campaign))
        return left_out_words(campaign.audience_left_out or {})

    @admin.display(description="Audience today")
    def audience_preview(self, campaign: Campaign) -> str:
        """Before the start: the audience's size, and whom the guard would hold back today."""
        if not campaign.pk or campaign.status != CampaignStatus.DRAFT:
            return "—"
        return audience_preview_html(campaign_audience_preview(campaign=campaign))

    def get_fieldsets(self, request, obj=None):
        """The audience preview is shown on a saved draft only: it is what starting it now would meet."""
        if obj is not None and obj.status == CampaignStatus.DRAFT:
            return self.fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "audience_preview"]})
            for name, options in self.fieldsets
        ]

    def get_urls(self):
        step = self.admin_site.admin_view(require_POST(self.lifecycle_view))
        return [
            path("figures/", self.admin_site.admin_view(self.figures_view), name="calls_campaign_figures"),
            path("<path:object_id>/lifecycle/<slug:step>/", step, name="calls_campaign_lifecycle"),
            *super().get_urls(),
        ]

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        """A refusal of the services while saving (the campaign started meanwhile, say) is told, not a crash."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, _error_words(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None and request.method == "GET":
            steps = _lifecycle_steps(campaign) if self.has_change_permission(request) else []
            lifecycle = [
                {
                    "label": _LIFECYCLE[step][0],
                    "url": reverse("admin:calls_campaign_lifecycle", args=[campaign.pk, step]),
                    "confirm": _LIFECYCLE[step][3],
                }
                for step in steps
            ]
            extra_context = {
                **(extra_context or {}),
                **figures_context(request, campaign=campaign),
                "lifecycle": lifecycle,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def lifecycle_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponseRedirect:
        """Start, pause, resume or complete one campaign from its own page, through its service."""
        if step not in _LIFECYCLE:
            raise Http404
        if not self.has_change_permission(request):
            raise PermissionDenied
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404
        _, service, _, _ = _LIFECYCLE[step]
        try:
            result = service(campaign=campaign, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            campaign.refresh_from_db()
            done = f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}."
            if step == "start":
                done += f" {result:,} call{'' if result == 1 else 's'} scheduled."
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:calls_campaign_change", args=[campaign.pk]))

    def figures_view(self, request: HttpRequest):
        """Every call's figures (all campaigns, and calls made outside any), over a range of days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Figures", "opts": self.opts}
        return TemplateResponse(request, "admin/calls/figures.html", {**context, **figures_context(request)})

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == CampaignStatus.COMPLETED:
            return False  # a record of what was done: read, never changed
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj: Campaign, form, change) -> None:
        """Through ``campaign_create`` or ``campaign_update``: checked, tidied and audited like the API's."""
        given = {name: form.cleaned_data[name] for name in CAMPAIGN_SETTINGS if name in form.cleaned_data}
        if change:
            saved = campaign_update(campaign=obj, actor=request.user, data=given)
        else:
            saved = campaign_create(actor=request.user, **given)
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

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
    list_display = ("who", "loan", "amount", "promised_date", "promise_status", "paid_amount")
    list_filter = ("status",)
    list_select_related = ("customer", "loan")
    search_fields = ("customer__full_name", "customer__phone", "loan__loan_id")
    raw_id_fields = ("loan",)
    actions = export_actions("promises")

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, promise: PromiseToPay) -> str:
        return admin_clipped(promise.customer.full_name, title=promise.customer)

    @admin.display(description="Status", ordering="status")
    def promise_status(self, promise: PromiseToPay) -> str:
        return admin_clipped(promise.get_status_display(), width="short")

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
    """Follow-ups. Who took one and when it was done are the agents' to set, through the work-item services
    (audited): shown here, not edited."""

    list_display = ("kind_label", "who", "loan", "due", "claimed_by", "done")
    list_filter = ("kind",)
    list_select_related = ("customer", "loan", "claimed_by")
    raw_id_fields = ("customer", "loan", "call", "promise")
    readonly_fields = ("claimed_by", "claimed_at", "done_at")

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, item: WorkItem) -> str:
        return admin_clipped(item.get_kind_display(), title=item.note or item.get_kind_display(), width="narrow")

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, item: WorkItem) -> str:
        return admin_clipped(item.customer.full_name, title=item.customer, width="narrow")

    @admin.display(description="Due", ordering="due_at")
    def due(self, item: WorkItem) -> str:
        return admin_day(item.due_at, with_time=True)

    @admin.display(description="Done", ordering="done_at")
    def done(self, item: WorkItem) -> str:
        return admin_day(item.done_at)


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
