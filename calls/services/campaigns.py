"""A campaign's life: draft → running ⇄ paused → completed, along one transitions map.

Starting a campaign schedules one call per borrower of its audience (a call about all their loans the
campaign covers; about the one loan when there is only one) in a single ``INSERT … SELECT``, so a
campaign of a hundred thousand customers starts in one statement, not one query per customer.

The bot speaks only the languages it has a full script for (``calls.conversation``): customers who prefer
another are left out of the audience, and the campaign says how many, by language.

Its settings change through ``campaign_update`` (audited; whom a started campaign calls stays as it was), and
before it starts ``campaign_audience_preview`` says how many of its borrowers the guard would hold back today.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from calls.compliance import Channel, GuardDecision, GuardRequest, GuardSession
from calls.conversation import CONVERSATION_LANGUAGES
from calls.models import Call, CallStatus, Campaign, CampaignStatus
from customers.models import STOPS_EVERY_CALL, Loan, LoanStatus, PhoneType, Suppression, SuppressionKind
from customers.states import state_meanings
from uploads.models import RowOutcome, UploadRow
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .status import calls_transition_bulk

C = CampaignStatus
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    C.DRAFT: frozenset({C.RUNNING, C.COMPLETED}),
    C.RUNNING: frozenset({C.PAUSED, C.COMPLETED}),
    C.PAUSED: frozenset({C.RUNNING, C.COMPLETED}),
    C.COMPLETED: frozenset(),
}


def _bot_may_never_call() -> Exists:
    """Loans the bot may never call about, whatever the hour: the guard would cancel their calls at once.

    (The guard stays the judge; this only keeps such calls from being scheduled in the first place.)
    """
    suppressions = Suppression.objects.active().filter(customer_id=OuterRef("customer_id"))
    return Exists(
        suppressions.filter(
            Q(kind__in=[*STOPS_EVERY_CALL, SuppressionKind.STOP_CALLING, SuppressionKind.DISPUTE], loan__isnull=True)
            | Q(kind__in=[*STOPS_EVERY_CALL, SuppressionKind.DISPUTE], loan_id=OuterRef("pk"))
            | Q(kind=SuppressionKind.WRONG_NUMBER, phone=OuterRef("customer__phone"))
        )
    )


def campaign_audience(*, campaign: Campaign) -> QuerySet[Loan]:
    """The loans a campaign calls about: active loans, not suppressed for the bot, matching its filters,
    of customers the bot can speak to in their language."""
    return _audience_any_language(campaign).filter(customer__preferred_language__in=CONVERSATION_LANGUAGES)


def campaign_left_out(*, campaign: Campaign) -> dict[str, int]:
    """Customers of the audience the bot does not call: by language (no script in it), then by number
    (``landline`` when the campaign does not call landlines, ``outside_countries``)."""
    rows = (
        _audience_any_language(campaign)
        .exclude(customer__preferred_language__in=CONVERSATION_LANGUAGES)
        .values_list("customer__preferred_language")
        .annotate(customers=Count("customer_id", distinct=True))
        .order_by("customer__preferred_language")
    )
    left_out = dict(rows)
    matching = _audience_any_number(campaign)
    outside = matching.exclude(customer__phone_country__in=campaign.countries)
    if count := outside.values("customer_id").distinct().count():
        left_out["outside_countries"] = count
    if not campaign.call_landlines:
        landlines = matching.filter(
            customer__phone_country__in=campaign.countries, customer__phone_type=PhoneType.LANDLINE
        )
        if count := landlines.values("customer_id").distinct().count():
            left_out["landline"] = count
    return left_out


def _audience_any_language(campaign: Campaign) -> QuerySet[Loan]:
    loans = _audience_any_number(campaign).filter(customer__phone_country__in=campaign.countries)
    if not campaign.call_landlines:
        loans = loans.exclude(customer__phone_type=PhoneType.LANDLINE)
    return loans


def _audience_any_number(campaign: Campaign) -> QuerySet[Loan]:
    loans = Loan.objects.filter(status=LoanStatus.ACTIVE).exclude(_bot_may_never_call())
    if campaign.audience_upload_id:
        touched = UploadRow.objects.filter(
            upload_id=campaign.audience_upload_id,
            outcome__in=[RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.UNCHANGED],
        ).exclude(loan_id="")
        loans = loans.filter(loan_id__in=touched.values("loan_id"))
    if campaign.audience_states:
        loans = loans.filter(customer__state__in=campaign.audience_states)
    if campaign.audience_due_from:
        loans = loans.filter(due_date__gte=campaign.audience_due_from)
    if campaign.audience_due_to:
        loans = loans.filter(due_date__lte=campaign.audience_due_to)
    if campaign.audience_min_days_past_due is not None:
        loans = loans.filter(days_past_due__gte=campaign.audience_min_days_past_due)
    if campaign.audience_max_days_past_due is not None:
        loans = loans.filter(days_past_due__lte=campaign.audience_max_days_past_due)
    return loans


def campaign_provider(campaign: Campaign) -> str:
    return campaign.provider or settings.CALLS_DEFAULT_PROVIDER


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refuse(campaign: Campaign, verb: str) -> ApplicationError:
    return ApplicationError(
        f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}; it cannot be {verb}.",
        code="campaign_state",
    )


def _verb(current: str, to: str) -> str:
    """What moving from ``current`` to ``to`` is called: started, resumed, paused, completed."""
    if to == C.RUNNING:
        return "started" if current == C.DRAFT else "resumed"
    return {C.PAUSED: "paused", C.COMPLETED: "completed"}.get(to, to)


def campaign_transition(
    *, campaign: Campaign, to: str, actor: AbstractBaseUser | None, details: dict | None = None, **fields
) -> Campaign:
    """Move a locked ``campaign`` to ``to`` along the map (else raise), and audit it."""
    verb = _verb(campaign.status, to)
    if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise _refuse(campaign, verb)
    campaign.status = to
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=["status", *fields, "updated_at"])
    audit_event_record(actor=actor, action=AuditAction(f"campaign.{verb}"), target=campaign, details=details)
    return campaign


@transaction.atomic
def campaign_start(*, campaign: Campaign, actor: AbstractBaseUser | None) -> int:
    """Schedule the first call for every loan of the audience and set the campaign running."""
    campaign = _lock(campaign)
    if campaign.status != C.DRAFT:
        raise _refuse(campaign, "started")
    campaign.full_clean()
    scheduled = _schedule_audience(campaign)
    left_out = campaign_left_out(campaign=campaign)
    campaign_transition(
        campaign=campaign,
        to=C.RUNNING,
        actor=actor,
        details={"calls_scheduled": scheduled, "left_out_no_script": left_out},
        started_at=timezone.now(),
        audience_left_out=left_out,
    )
    return scheduled


def _schedule_audience(campaign: Campaign) -> int:
    """One ``INSERT INTO calls … SELECT FROM loans … GROUP BY customer``: the database does the work, not
    Python. A borrower with one loan in the audience gets a call about it; with several, one call about
    all of them (no loan named: the guard counts it against each of their debts)."""
    now = timezone.now()
    rows = (
        campaign_audience(campaign=campaign)
        .values("customer_id", "customer__phone")
        .annotate(
            c_loans=Count("id"),
            c_loan_id=Case(When(c_loans=1, then=Min("id")), default=None, output_field=models.BigIntegerField()),
        )
        .order_by()
        .annotate(
            c_created_at=Value(now, output_field=models.DateTimeField()),
            c_campaign_id=Value(campaign.pk, output_field=models.BigIntegerField()),
            c_attempt=Value(1, output_field=models.IntegerField()),
            c_phone=F("customer__phone"),
            c_provider=Value(campaign_provider(campaign), output_field=models.CharField()),
            c_empty=Value("", output_field=models.CharField()),
            c_status=Value(CallStatus.SCHEDULED, output_field=models.CharField()),
            c_dialogue=Value({}, output_field=models.JSONField()),
        )
        .values_list(
            "c_created_at",
            "c_created_at",
            "c_campaign_id",
            "customer_id",
            "c_loan_id",
            "c_attempt",
            "c_phone",
            "c_provider",
            "c_empty",
            "c_status",
            "c_created_at",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_dialogue",
            "c_empty",
        )
    )
    select_sql, params = rows.query.get_compiler(connection=connection).as_sql()
    columns = (
        "created_at, updated_at, campaign_id, customer_id, loan_id, attempt, phone_dialled, provider, "
        "provider_call_id, status, scheduled_for, answered_by, keypad, recording_url, transcript, blocked_reason, "
        "blocked_code, dialogue, price_unit"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {Call._meta.db_table} ({columns}) {select_sql}", params)  # noqa: S608
        return cursor.rowcount


@transaction.atomic
def campaign_pause(*, campaign: Campaign, actor: AbstractBaseUser | None) -> Campaign:
    """Stop dialling: scheduled calls wait; calls already on the line finish."""
    return campaign_transition(campaign=_lock(campaign), to=C.PAUSED, actor=actor)


@transaction.atomic
def campaign_resume(*, campaign: Campaign, actor: AbstractBaseUser | None) -> Campaign:
    campaign = _lock(campaign)
    if campaign.status != C.PAUSED:
        raise _refuse(campaign, "resumed")
    return campaign_transition(campaign=campaign, to=C.RUNNING, actor=actor)


@transaction.atomic
def campaign_complete(*, campaign: Campaign, actor: AbstractBaseUser | None) -> Campaign:
    """End the campaign: calls not yet placed are canceled."""
    campaign = _lock(campaign)
    if campaign.status == C.COMPLETED:
        return campaign
    pending = Call.objects.filter(campaign=campaign, status__in=[CallStatus.SCHEDULED, CallStatus.QUEUED])
    canceled = calls_transition_bulk(
        call_ids=pending.values_list("pk", flat=True),
        to=CallStatus.CANCELED,
        blocked_reason="The campaign was completed.",
    )
    return campaign_transition(
        campaign=campaign, to=C.COMPLETED, actor=actor, details={"canceled": canceled}, completed_at=timezone.now()
    )


# --- Settings: what a campaign is, and what may change once it runs ----------------------------------------

# Whom the campaign calls, and through which provider: fixed once it starts, because its calls were scheduled
# from them and its figures and audit trail describe that audience.
AUDIENCE_FIELDS = (
    "provider",
    "audience_upload",
    "audience_states",
    "audience_due_from",
    "audience_due_to",
    "audience_min_days_past_due",
    "audience_max_days_past_due",
    "call_landlines",
    "phone_countries",
)
# How it calls: may change while it runs or is paused (the next calls follow the new settings).
CALLING_FIELDS = (
    "name",
    "window_start",
    "window_end",
    "max_attempts",
    "retry_policy",
    "lender_name",
    "contact_person",
    "callback_number",
    "transfer_number",
    "record_calls",
    "machine_message",
    "second_check",
)
CAMPAIGN_SETTINGS = AUDIENCE_FIELDS + CALLING_FIELDS
_TRIMMED = ("lender_name", "contact_person", "callback_number", "transfer_number")


def campaign_settings_tidy(values: dict[str, Any], *, phone_countries: list[str]) -> dict[str, Any]:
    """Settings as a campaign keeps them, whoever gives them (the admin, the API): a name without repeated
    spaces, trimmed texts, country codes in capitals, and each audience state by its one name
    (``customers.states``), a code read in the countries the campaign calls (``phone_countries``, the
    campaign's own when ``values`` gives none). A code of two of those countries (``GA``: Goa, Georgia) is
    refused: the name says which."""
    tidy = dict(values)
    if "name" in tidy:
        tidy["name"] = " ".join(str(tidy["name"]).split())
    for name in _TRIMMED:
        if name in tidy:
            tidy[name] = (tidy[name] or "").strip()
    if "phone_countries" in tidy:
        tidy["phone_countries"] = sorted({c.strip().upper() for c in tidy["phone_countries"] or [] if c.strip()})
    if "audience_states" in tidy:
        countries = tidy.get("phone_countries", phone_countries) or settings.CALL_COUNTRIES
        tidy["audience_states"] = _audience_states(tidy["audience_states"] or [], countries=countries)
    return tidy


def _audience_states(given: Iterable[str], *, countries: list[str]) -> list[str]:
    names, ambiguous = set(), []
    for text in given:
        meanings = state_meanings(str(text), countries=countries)
        if len(meanings) > 1:
            ambiguous.append(f"“{text.strip()}” may be {' or '.join(meanings)}: choose it by name.")
        names.update(meanings)
    if ambiguous:
        raise ValidationError({"audience_states": ambiguous})
    return sorted(names)


def _as_json(value: Any) -> Any:
    """A setting's value as the audit trail keeps it."""
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: AbstractBaseUser | None, data: dict[str, Any]) -> Campaign:
    """Change a campaign's settings (``CAMPAIGN_SETTINGS``), checked like a new campaign and audited with what
    changed (``campaign.updated``, ``{field: [old, new]}``); nothing changed, nothing recorded.

    A draft may change anything. Once started, its audience (``AUDIENCE_FIELDS``) stays as it was; how it
    calls may still change while it runs or is paused. A completed campaign is a record: nothing changes.
    A retry policy given for some outcomes keeps the others as they were.
    """
    unknown = sorted(set(data) - set(CAMPAIGN_SETTINGS))
    if unknown:
        raise TypeError(f"Not campaign settings: {', '.join(unknown)}")
    campaign = _lock(campaign)
    values = campaign_settings_tidy(data, phone_countries=campaign.phone_countries)
    if "retry_policy" in values:
        values["retry_policy"] = {**campaign.retry_policy, **(values["retry_policy"] or {})}
    changes = {
        name: [_as_json(getattr(campaign, name)), _as_json(value)]
        for name, value in values.items()
        if _as_json(getattr(campaign, name)) != _as_json(value)
    }
    if not changes:
        return campaign
    frozen = [name for name in changes if name in AUDIENCE_FIELDS]
    if campaign.status == C.COMPLETED or (campaign.status != C.DRAFT and frozen):
        fields = list(changes) if campaign.status == C.COMPLETED else frozen
        what = "nothing about it" if campaign.status == C.COMPLETED else "whom it calls"
        raise ApplicationError(
            f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}: {what} can change "
            f"({', '.join(fields)}).",
            code="campaign_state",
            details={name: ["Cannot change once the campaign has started."] for name in fields},
        )
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save(update_fields=[*changes, "updated_at"])
    audit_event_record(actor=actor, action=AuditAction.CAMPAIGN_UPDATED, target=campaign, details={"changes": changes})
    return campaign


# --- Before it starts: how many the guard would hold back today ---------------------------------------------

# Loans of the audience the preview judges: enough to show what the guard will do, few enough for a page
# (the guard reads their customers' history in a handful of statements).
AUDIENCE_PREVIEW_LOANS = 2_000


@dataclass(frozen=True)
class AudiencePreview:
    """A draft campaign's audience now, and what the guard says of the first ``judged_loans`` of it."""

    loans: int
    customers: int
    judged_loans: int
    judged_customers: int
    # Customers the guard would not let the bot call at any time today, by reason code, and the guard's words
    # for one of them.
    held_back: dict[str, int] = field(default_factory=dict)
    example: dict[str, str] = field(default_factory=dict)

    @property
    def capped(self) -> bool:
        return self.judged_loans < self.loans


def campaign_audience_preview(
    *, campaign: Campaign, at: datetime | None = None, limit: int = AUDIENCE_PREVIEW_LOANS
) -> AudiencePreview:
    """The audience's size, and how many of its borrowers the guard would hold back all of today (as of
    ``at``, default now), judged as the campaign's calls will be: one call per borrower, about their loan
    when they have one in the audience, else about all of them, within the campaign's hours. A refusal the
    guard lifts later today (not yet in calling hours) is not a refusal today. Only the first ``limit`` loans
    are judged, so a large audience stays quick to show."""
    at = at or timezone.now()
    audience = campaign_audience(campaign=campaign)
    sample = audience.order_by("pk").values_list("pk", "customer_id", "customer__phone", "customer__state")[:limit]
    borrowers: dict[int, tuple[str, str, list[int]]] = {}
    for loan_id, customer_id, phone, state in sample:
        borrowers.setdefault(customer_id, (phone, state, []))[2].append(loan_id)
    judged_loans = sum(len(loans) for _, _, loans in borrowers.values())
    loans = audience.count() if judged_loans == limit else judged_loans
    customers = audience.values("customer_id").distinct().count() if judged_loans == limit else len(borrowers)
    session = GuardSession(customer_ids=list(borrowers), at=at)
    held_back: Counter[str] = Counter()
    example: dict[str, str] = {}
    for customer_id, (phone, state, loan_ids) in borrowers.items():
        decision = session.decide(
            GuardRequest(
                customer_id=customer_id,
                phone=phone,
                state=state,
                loan_id=loan_ids[0] if len(loan_ids) == 1 else None,
                channel=Channel.BOT,
                window=(campaign.window_start, campaign.window_end),
            )
        )
        if not decision and not _allowed_later_today(decision, at):
            held_back[decision.code] += 1
            example.setdefault(decision.code, decision.message)
    return AudiencePreview(
        loans=loans,
        customers=customers,
        judged_loans=judged_loans,
        judged_customers=len(borrowers),
        held_back=dict(held_back.most_common()),
        example=example,
    )


def _allowed_later_today(decision: GuardDecision, at: datetime) -> bool:
    """The refusal lifts on the customer's today (their calling hours have not begun, or a retry waits)."""
    when = decision.next_allowed_at
    return when is not None and when.date() == at.astimezone(when.tzinfo).date()
