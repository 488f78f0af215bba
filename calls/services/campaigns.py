"""A campaign's life: draft → running ⇄ paused → completed, along one transitions map.

Starting a campaign schedules one call per borrower of its audience (a call about all their loans the
campaign covers; about the one loan when there is only one) in a single ``INSERT … SELECT``, so a
campaign of a hundred thousand customers starts in one statement, not one query per customer.

The bot speaks only the languages it has a full script for (``calls.conversation``): customers who prefer
another are left out of the audience, and the campaign says how many, by language.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from calls.conversation import CONVERSATION_LANGUAGES
from calls.models import Call, CallStatus, Campaign, CampaignStatus
from customers.models import STOPS_EVERY_CALL, Loan, LoanStatus, PhoneType, Suppression, SuppressionKind
from uploads.models import RowOutcome, UploadRow
from voiceassist.common.exceptions import ApplicationError
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
    audit_event_record(actor=actor, action=f"campaign.{verb}", target=campaign, details=details)
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
