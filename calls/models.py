from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from customers.models import Customer, Loan
from uploads.models import FileUpload
from voiceassist.common.models import BaseModel
from voiceassist.common.money import money_display


class Provider(models.TextChoices):
    SIMULATED = "simulated", "Simulated"
    TWILIO = "twilio", "Twilio"
    EXOTEL = "exotel", "Exotel"
    MANUAL = "manual", "Agent's own call"


# Providers the dispatcher can dial through (an agent's own call is only ever logged).
DIALLING_PROVIDERS = [choice for choice in Provider.choices if choice[0] != "manual"]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"


def default_retry_policy() -> dict:
    """Per telephony outcome: wait this many minutes, at most this many more tries."""
    return {
        "busy": {"after_minutes": 30, "max_retries": 2},
        "no_answer": {"after_minutes": 120, "max_retries": 2},
        "failed": {"after_minutes": 60, "max_retries": 1},
        "machine": {"after_minutes": 240, "max_retries": 1},
        # Someone else answered and the borrower was not there.
        "not_available": {"after_minutes": 240, "max_retries": 1},
    }


# The bounds of a campaign's attempts and retries, whoever sets them (the admin, the API).
MAX_ATTEMPTS_LIMIT = 20
RETRY_AFTER_MINUTES_LIMIT = 7 * 24 * 60
RETRY_MAX_RETRIES_LIMIT = 10


def retry_policy_problems(policy: object) -> list[str]:
    """What is wrong with a retry policy, in words; empty when nothing is."""
    if not isinstance(policy, dict):
        return ["The retry policy is a table of outcomes."]
    outcomes = default_retry_policy()
    problems = [f"{outcome}: not an outcome calls are retried after." for outcome in policy if outcome not in outcomes]
    bounds = {"after_minutes": (1, RETRY_AFTER_MINUTES_LIMIT), "max_retries": (0, RETRY_MAX_RETRIES_LIMIT)}
    for outcome, rule in policy.items():
        if outcome not in outcomes:
            continue
        if not isinstance(rule, dict):
            problems.append(f"{outcome}: give after_minutes and max_retries.")
            continue
        for name, (low, high) in bounds.items():
            value = rule.get(name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                problems.append(f"{outcome}: {name} must be a whole number from {low} to {high}.")
    return problems


class MachineMessage(models.TextChoices):
    NONE = "none", "Say nothing and hang up"
    LIMITED = "limited", "Leave the limited-content message (contact person and callback number, no debt)"


class Campaign(BaseModel):
    """Who to call (an upload's customers or a filter), how, and when."""

    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    provider = models.CharField(
        max_length=16,
        choices=Provider.choices,
        blank=True,
        help_text="Empty: the provider in settings (CALLS_DEFAULT_PROVIDER).",
    )

    # The audience: customers of one upload, or a filter on their loans (both may be combined).
    audience_upload = models.ForeignKey(
        FileUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    audience_states = models.JSONField(default=list, blank=True, help_text='e.g. ["Goa", "Kerala"]; empty: all.')
    audience_due_from = models.DateField(null=True, blank=True)
    audience_due_to = models.DateField(null=True, blank=True)
    audience_min_days_past_due = models.PositiveIntegerField(null=True, blank=True)
    audience_max_days_past_due = models.PositiveIntegerField(null=True, blank=True)

    # Local time of the customer. The legal window (settings) always applies; these may only narrow it.
    window_start = models.TimeField(default=time(9, 0))
    window_end = models.TimeField(default=time(18, 0))
    max_attempts = models.PositiveSmallIntegerField(default=3, help_text="Calls per loan in this campaign.")
    retry_policy = models.JSONField(default=default_retry_policy, blank=True)

    # The conversation. Empty texts: the defaults in settings (VOICE_*).
    lender_name = models.CharField(max_length=100, blank=True, help_text="Said in the greeting.")
    contact_person = models.CharField(max_length=100, blank=True, help_text="Named in a machine message.")
    callback_number = models.CharField(max_length=20, blank=True, help_text="The number borrowers are asked to call.")
    transfer_number = models.CharField(
        max_length=20, blank=True, help_text="Agents' line for warm transfers (within the agents' hours)."
    )
    record_calls = models.BooleanField(
        default=False,
        help_text="Record calls; the recording notice is said first. Kept for VOICE_RECORDING_RETENTION_DAYS.",
    )
    machine_message = models.CharField(max_length=8, choices=MachineMessage.choices, default=MachineMessage.NONE)
    second_check = models.BooleanField(
        default=False, help_text="After the right-party check, ask for the last 4 digits of the loan number."
    )
    # Which numbers the bot dials: a landline is often a workplace or a shared line; a number in another country
    # is another law. Customers left out for their number are counted, like those without a script.
    call_landlines = models.BooleanField(
        default=True, help_text="Call customers whose phone is a landline (the number's type is read on upload)."
    )
    phone_countries = models.JSONField(
        default=list,
        blank=True,
        help_text='Countries whose numbers the bot calls, e.g. ["IN"]; empty: every country in CALL_COUNTRIES.',
    )
    # Customers of the audience left out: by language (no script) and by number (landline, outside the countries).
    audience_left_out = models.JSONField(default=dict, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The campaign's own rules, for every way one is written (the admin, the API, the services)."""
        errors: dict[str, str | list[str]] = {}
        if self.window_start is not None and self.window_end is not None and self.window_start >= self.window_end:
            errors["window_end"] = "The calling window must end after it starts."
        if self.audience_due_from and self.audience_due_to and self.audience_due_from > self.audience_due_to:
            errors["audience_due_to"] = "The due-date range ends before it starts."
        low, high = self.audience_min_days_past_due, self.audience_max_days_past_due
        if low is not None and high is not None and low > high:
            errors["audience_max_days_past_due"] = "The days-past-due range ends before it starts."
        if self.provider == Provider.MANUAL:
            errors["provider"] = "An agent's own call is only ever logged: choose a provider that dials, or none."
        if self.max_attempts is not None and not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            errors["max_attempts"] = f"From 1 to {MAX_ATTEMPTS_LIMIT} calls per loan."
        if problems := retry_policy_problems(self.retry_policy):
            errors["retry_policy"] = problems
        states = self.audience_states
        if not isinstance(states, list) or not all(isinstance(state, str) for state in states):
            errors["audience_states"] = "A list of state names."
        unknown = [code for code in self.phone_countries or [] if code not in settings.CALL_COUNTRIES]
        if unknown:
            allowed = ", ".join(settings.CALL_COUNTRIES)
            errors["phone_countries"] = f"{', '.join(map(str, unknown))}: the bot calls only {allowed}."
        if errors:
            raise ValidationError(errors)

    @property
    def countries(self) -> list[str]:
        """The countries whose numbers this campaign calls."""
        return list(self.phone_countries or settings.CALL_COUNTRIES)


class CallStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    QUEUED = "queued", "Queued"
    DIALING = "dialing", "Dialing"
    RINGING = "ringing", "Ringing"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    BUSY = "busy", "Busy"
    NO_ANSWER = "no_answer", "No answer"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    LOST = "lost", "Lost (no word from the provider)"


class AnsweredBy(models.TextChoices):
    UNKNOWN = "", "Unknown"
    HUMAN = "human", "Human"
    MACHINE = "machine", "Machine"


class DispositionLayer(models.TextChoices):
    TELEPHONY = "telephony", "Telephony outcome"
    CONVERSATION = "conversation", "Conversation outcome"


class Disposition(models.Model):
    """How a call ended, in two layers: the line (busy, no answer…) and the talk (promise to pay…)."""

    code = models.SlugField(max_length=32, unique=True)
    label = models.CharField(max_length=100)
    layer = models.CharField(max_length=16, choices=DispositionLayer.choices)
    is_contact = models.BooleanField(default=False, help_text="Someone answered.")
    is_right_party_contact = models.BooleanField(default=False, help_text="The borrower answered.")
    is_final = models.BooleanField(default=False, help_text="No more calls about this loan in the campaign.")

    class Meta:
        ordering = ["layer", "code"]

    def __str__(self) -> str:
        return self.label


class Call(BaseModel):
    """One attempt to reach one customer about one loan."""

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="calls")
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    attempt = models.PositiveSmallIntegerField(default=1)
    phone_dialled = models.CharField(max_length=16)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_call_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=CallStatus.choices, default=CallStatus.SCHEDULED)
    scheduled_for = models.DateTimeField()
    answered_by = models.CharField(max_length=8, choices=AnsweredBy.choices, blank=True)
    disposition = models.ForeignKey(Disposition, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    keypad = models.CharField(max_length=16, blank=True, help_text="Digits the customer pressed.")
    # The conversation's state (``calls.conversation``): its step, unclear answers, the promise heard.
    dialogue = models.JSONField(default=dict, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # What the provider charged, when it says (Twilio's and Exotel's call records; the simulated provider).
    price = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    price_unit = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. INR, USD.")
    recording_url = models.URLField(max_length=500, blank=True)
    recording_deleted_at = models.DateTimeField(null=True, blank=True)
    transcript = models.TextField(blank=True)
    # The compliance guard's last "no" for this call (its reason code and words), shown to back office and agents.
    blocked_code = models.CharField(max_length=32, blank=True)
    blocked_reason = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the attempt reached the telephone network (the provider took it, or an agent dialled): the
    # moment that counts against the caps. Empty for calls that never got that far.
    started_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_call_id"],
                condition=~models.Q(provider_call_id=""),
                name="call_unique_provider_call_id",
            )
        ]
        indexes = [
            # The dispatcher's question: which scheduled calls are due?
            # (provider, scheduled_for, id) in the dispatcher's order: a tick reads its batch straight
            # off the index, however many calls wait.
            models.Index(
                fields=["provider", "scheduled_for", "id"], condition=models.Q(status="scheduled"), name="call_due_idx"
            ),
            # …and how many calls each provider has in flight (its concurrency limit).
            models.Index(
                fields=["provider"],
                condition=models.Q(status__in=["queued", "dialing", "ringing", "in_progress"]),
                name="call_live_idx",
            ),
            models.Index(fields=["customer", "created_at"]),
            # The guard's history: a customer's attempts of the last days.
            models.Index(
                fields=["customer", "started_at"], condition=models.Q(started_at__isnull=False), name="call_attempt_idx"
            ),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        return f"Call #{self.pk} to {self.phone_dialled} ({self.get_status_display()})"


class CallEventKind(models.TextChoices):
    """Every kind of event a call records (a test reads the code's events and checks each kind is here)."""

    STATUS = "status", "Status change"
    WEBHOOK = "webhook", "Provider's report"
    GUARD = "guard", "Compliance guard said no"
    TURN = "turn", "Conversation turn"
    RECORDING = "recording", "Recording"


class CallEvent(models.Model):
    """What happened to a call, in order: status changes, provider events, guard refusals, conversation turns."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=CallEventKind.choices)
    status = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    provider_event_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "provider_event_id"],
                condition=~models.Q(provider_event_id=""),
                name="callevent_unique_provider_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}".strip()


class PromiseStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    PARTLY_KEPT = "partly_kept", "Partly kept"
    BROKEN = "broken", "Broken"
    REPLACED = "replaced", "Replaced by a newer promise"


class PromiseToPay(BaseModel):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="promises")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="promises")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    promised_date = models.DateField()
    grace_days = models.PositiveSmallIntegerField(default=3)
    # What the loan still owed when the promise was made: kept when it drops by at least ``amount``.
    outstanding_at_promise = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    source_call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    # Payments on the loan between the promise and its date plus grace days (when it was judged).
    paid_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["promised_date", "id"]
        indexes = [models.Index(fields=["status", "promised_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="promise_amount_positive"),
            # One open promise per loan: a new one replaces the old (``promise_create``).
            models.UniqueConstraint(
                fields=["loan"], condition=models.Q(status="open"), name="promise_one_open_per_loan"
            ),
        ]

    def __str__(self) -> str:
        amount = money_display(self.amount, customer=self.customer)
        return f"{amount} by {self.promised_date:%-d %b %Y} ({self.get_status_display()})"


class WorkItemKind(models.TextChoices):
    CALLBACK = "callback", "Callback requested"
    AGENT_REQUESTED = "agent_requested", "Asked for an agent"
    BROKEN_PROMISE = "broken_promise", "Broken promise"
    DISPUTE = "dispute", "Dispute"
    PAYMENT_CHECK = "payment_check", "Says already paid"
    HARDSHIP = "hardship", "Cannot pay (hardship)"
    PROMISE_REVIEW = "promise_review", "Promise beyond the horizon"


class WorkItem(BaseModel):
    """Something an agent must follow up; claimed by one agent at a time."""

    kind = models.CharField(max_length=16, choices=WorkItemKind.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="work_items")
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_items")
    promise = models.ForeignKey(PromiseToPay, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claimed_work"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["due_at"], condition=models.Q(done_at__isnull=True), name="workitem_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.customer}"
