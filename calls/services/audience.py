"""Whom a campaign calls: its audience (active loans matching its filters, of borrowers the bot may call and
can speak to), who is left out and why, and before it starts how many of them the guard would hold back today.

The bot speaks only the languages it has a full script for (``calls.conversation``): customers who prefer
another are left out of the audience, and the campaign says how many, by language.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from calls.compliance import Channel, GuardDecision, GuardRequest, GuardSession
from calls.conversation import CONVERSATION_LANGUAGES
from calls.models import Campaign
from customers.models import STOPS_EVERY_CALL, Loan, LoanStatus, PhoneType, Suppression, SuppressionKind
from uploads.models import RowOutcome, UploadRow


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
