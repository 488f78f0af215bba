"""The figures a collections head reads, for one campaign or for every call, over a range of days.

Everything hangs off the calls that reached the network (``started_at`` set) on the days asked for
(their local date in ``TIME_ZONE``): the promises those calls obtained and the payments those calls
brought in. A breakdown (by days-past-due bucket, language, hour, day) puts each promise and payment
where the call that led to it sits, so the breakdowns always add up to the totals.

Three queries whatever the data: the calls grouped by every breakdown at once (payments attributed to
each call are summed there, by a correlated subquery), the promises grouped the same way, and the
calls still waiting. Python only adds the grouped rows up.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.db.models.lookups import IsNull
from django.utils import timezone

from calls.models import AnsweredBy, Call, CallStatus, Campaign, PromiseStatus, PromiseToPay
from customers.models import Language, Loan, LoanStatus, Payment
from voiceassist.common.exceptions import ApplicationError

NO_INPUT = "no_input"
# (key, label, lowest days past due, highest); None: no upper end.
DPD_BUCKETS = (
    ("0", "Not overdue (0)", 0, 0),
    ("1-30", "1–30 days", 1, 30),
    ("31-60", "31–60 days", 31, 60),
    ("61-90", "61–90 days", 61, 90),
    ("90+", "Over 90 days", 91, None),
)
DPD_UNKNOWN = "unknown"
BREAKDOWN_FIGURES = ("attempts", "connects", "right_party_contacts", "promises", "promised_amount", "collected_amount")
MONEY = DecimalField(max_digits=16, decimal_places=2)
PRICE = DecimalField(max_digits=20, decimal_places=4)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    """Local days ``date_from``..``date_to``, both included; either end may be open."""

    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ApplicationError("The range ends before it starts: “to” must not be before “from”.", code="invalid")

    @property
    def start(self) -> datetime | None:
        return _local_midnight(self.date_from) if self.date_from else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the range (midnight after ``date_to``)."""
        return _local_midnight(self.date_to + timedelta(days=1)) if self.date_to else None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def _dpd_bucket(dpd):
    """The bucket key of a days-past-due expression, in SQL."""
    whens = [
        When(**{f"{dpd}__gte": low, f"{dpd}__lte": high}, then=Value(key))
        if high is not None
        else When(**{f"{dpd}__gte": low}, then=Value(key))
        for key, _, low, high in DPD_BUCKETS
    ]
    return Case(*whens, default=Value(DPD_UNKNOWN), output_field=CharField())


def _with_dimensions(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """The breakdown keys of a call (``prefix`` reaches the call from another model): local day and
    hour of ``started_at``, the customer's language, and the days-past-due bucket of the call's loan or,
    for a call about all of a borrower's loans, of their most overdue active loan (as the loans stand
    now: a loan's days past due are not kept per call)."""
    tz = timezone.get_current_timezone()
    most_overdue = (
        Loan.objects.filter(customer=OuterRef(f"{prefix}customer"), status=LoanStatus.ACTIVE)
        .annotate(bucket=_dpd_bucket("days_past_due"))
        .order_by(F("days_past_due").desc(nulls_last=True), "id")
        .values("bucket")[:1]
    )
    return queryset.annotate(
        call_day=TruncDate(f"{prefix}started_at", tzinfo=tz),
        call_hour=ExtractHour(f"{prefix}started_at", tzinfo=tz),
        language=F(f"{prefix}customer__preferred_language"),
        bucket=Case(
            When(**{f"{prefix}loan__isnull": False}, then=_dpd_bucket(f"{prefix}loan__days_past_due")),
            default=Coalesce(Subquery(most_overdue, output_field=CharField()), Value(DPD_UNKNOWN)),
            output_field=CharField(),
        ),
    )


def _payment_moment_before(prefix: str = "") -> Q:
    """Within a subquery on calls: the call started before the outer payment (its ``paid_at``, or the
    start of its ``paid_on`` in TIME_ZONE when the time is not known)."""
    return Q(IsNull(OuterRef("paid_at"), False), **{f"{prefix}started_at__lte": OuterRef("paid_at")}) | Q(
        IsNull(OuterRef("paid_at"), True), **{f"{prefix}local_day__lt": OuterRef("paid_on")}
    )


def _contacts() -> QuerySet[Call]:
    tz = timezone.get_current_timezone()
    return Call.objects.filter(disposition__is_contact=True, started_at__isnull=False).annotate(
        local_day=TruncDate("started_at", tzinfo=tz)
    )


def _collected_by_call(attribution_days: int) -> Subquery:
    """The payments a contact call (the outer row) brought in: on its loan (every loan of the borrower
    for a loan-less call), within ``attribution_days`` after it, and with no later contact, of any
    campaign, about that loan before the payment (the latest contact wins, so a payment counts once)."""
    # A later contact about the payment's loan (the middle row), still before the payment.
    later_contact = (
        _contacts()
        .filter(Q(loan=OuterRef("loan")) | Q(loan__isnull=True, customer=OuterRef("loan__customer")))
        .filter(
            Q(started_at__gt=OuterRef(OuterRef("started_at")))
            | Q(started_at=OuterRef(OuterRef("started_at")), pk__gt=OuterRef(OuterRef("pk")))
        )
        .filter(_payment_moment_before())
    )
    payments = (
        Payment.objects.filter(
            Q(IsNull(OuterRef("loan"), False), loan=OuterRef("loan"))
            | Q(IsNull(OuterRef("loan"), True), loan__customer=OuterRef("customer"))
        )
        .filter(
            Q(paid_at__isnull=False, paid_at__gte=OuterRef("started_at"), paid_at__lte=OuterRef("window_end"))
            | Q(paid_at__isnull=True, paid_on__gt=OuterRef("local_day"), paid_on__lte=OuterRef("window_end_day"))
        )
        .filter(~Exists(later_contact))
        .order_by()
        .annotate(total=Func(F("amount"), function="SUM", output_field=MONEY))
        .values("total")
    )
    return Subquery(payments, output_field=MONEY)


def _calls_in(*, campaign: Campaign | None, period: Period) -> QuerySet[Call]:
    calls = Call.objects.filter(started_at__isnull=False)
    if campaign is not None:
        calls = calls.filter(campaign=campaign)
    if period.start:
        calls = calls.filter(started_at__gte=period.start)
    if period.end:
        calls = calls.filter(started_at__lt=period.end)
    return calls


def _call_rows(calls: QuerySet[Call], attribution_days: int) -> list[dict]:
    tz = timezone.get_current_timezone()
    window = timedelta(days=attribution_days)
    calls = _with_dimensions(calls).annotate(
        local_day=TruncDate("started_at", tzinfo=tz),
        window_end=ExpressionWrapper(F("started_at") + window, output_field=DateTimeField()),
        window_end_day=TruncDate(ExpressionWrapper(F("started_at") + window, output_field=DateTimeField()), tzinfo=tz),
        attributed=Case(
            When(disposition__is_contact=True, then=Coalesce(_collected_by_call(attribution_days), Value(ZERO))),
            default=Value(ZERO),
            output_field=MONEY,
        ),
    )
    return list(
        calls.order_by()
        .values("call_day", "call_hour", "language", "bucket", "price_unit")
        .annotate(
            attempts=Count("id"),
            connects=Count("id", filter=Q(answered_by=AnsweredBy.HUMAN) & ~Q(disposition__code=NO_INPUT)),
            right_party_contacts=Count("id", filter=Q(disposition__is_right_party_contact=True)),
            priced_attempts=Count("id", filter=Q(price__isnull=False)),
            price_total=Sum("price", output_field=PRICE),
            collected_amount=Sum("attributed", output_field=MONEY),
        )
    )


def _promise_rows(calls: QuerySet[Call]) -> list[dict]:
    promises = _with_dimensions(PromiseToPay.objects.filter(source_call__in=calls.values("pk")), "source_call__")
    return list(
        promises.order_by()
        .values("call_day", "call_hour", "language", "bucket")
        .annotate(
            promises=Count("id"),
            promised_amount=Sum("amount", output_field=MONEY),
            open=Count("id", filter=Q(status=PromiseStatus.OPEN)),
            kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
            partly_kept=Count("id", filter=Q(status=PromiseStatus.PARTLY_KEPT)),
            broken=Count("id", filter=Q(status=PromiseStatus.BROKEN)),
            replaced=Count("id", filter=Q(status=PromiseStatus.REPLACED)),
        )
    )


def _blank() -> dict:
    return {
        "attempts": 0,
        "connects": 0,
        "right_party_contacts": 0,
        "promises": 0,
        "promised_amount": ZERO,
        "collected_amount": ZERO,
    }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def figures_compute(
    *, campaign: Campaign | None = None, date_from: date | None = None, date_to: date | None = None
) -> dict:
    """The figures of ``campaign`` (``None``: every call, of any campaign or none) for calls started on
    the local days ``date_from``..``date_to`` (both included; either may be left open).

    Raises ``ApplicationError`` when the range ends before it starts.
    """
    period = Period(date_from=date_from, date_to=date_to)
    attribution_days = settings.PAYMENTS_ATTRIBUTION_DAYS
    calls = _calls_in(campaign=campaign, period=period)
    call_rows = _call_rows(calls, attribution_days)
    promise_rows = _promise_rows(calls)
    waiting = Call.objects.filter(status=CallStatus.SCHEDULED)
    scheduled = (waiting.filter(campaign=campaign) if campaign is not None else waiting).count()

    totals = _blank()
    promise_totals = dict.fromkeys(("open", "kept", "partly_kept", "broken", "replaced"), 0)
    by_bucket: dict[str, dict] = defaultdict(_blank)
    by_language: dict[str, dict] = defaultdict(_blank)
    by_hour: dict[int, dict] = defaultdict(_blank)
    by_day: dict[date, dict] = defaultdict(_blank)
    costs: dict[str, list] = defaultdict(lambda: [0, Decimal("0")])

    def add(row: dict, names: tuple[str, ...]) -> None:
        for group, key in (
            (by_bucket, row["bucket"]),
            (by_language, row["language"]),
            (by_hour, row["call_hour"]),
            (by_day, row["call_day"]),
        ):
            for name in names:
                group[key][name] += row[name] or 0
        for name in names:
            totals[name] += row[name] or 0

    for row in call_rows:
        add(row, ("attempts", "connects", "right_party_contacts", "collected_amount"))
        if row["priced_attempts"]:
            costs[row["price_unit"]][0] += row["priced_attempts"]
            costs[row["price_unit"]][1] += row["price_total"]
    for row in promise_rows:
        add(row, ("promises", "promised_amount"))
        for status in promise_totals:
            promise_totals[status] += row[status]

    resolved = promise_totals["kept"] + promise_totals["partly_kept"] + promise_totals["broken"]
    if period.date_from and period.date_to:
        days = _days(period.date_from, period.date_to)
    elif by_day:
        days = _days(period.date_from or min(by_day), period.date_to or max(by_day))
    else:
        days = []
    buckets = [key for key, *_ in DPD_BUCKETS] + ([DPD_UNKNOWN] if DPD_UNKNOWN in by_bucket else [])
    labels = {key: label for key, label, *_ in DPD_BUCKETS} | {DPD_UNKNOWN: "Days past due not known"}
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "attribution_days": attribution_days,
        **totals,
        "connect_rate": _rate(totals["connects"], totals["attempts"]),
        "right_party_rate": _rate(totals["right_party_contacts"], totals["attempts"]),
        "scheduled": scheduled,
        **promise_totals,
        "kept_rate": _rate(promise_totals["kept"], resolved),
        "cost_per_call": [
            {
                "currency": currency,
                "priced_attempts": count,
                "total": total.quantize(Decimal("0.0001")),
                "per_call": (total / count).quantize(Decimal("0.0001")),
            }
            for currency, (count, total) in sorted(costs.items())
        ]
        or None,
        "by_dpd_bucket": [{"key": key, "label": labels[key], **by_bucket[key]} for key in buckets],
        "by_language": [
            {"key": code, "label": Language(code).label if code in Language.values else code, **by_language[code]}
            for code in sorted(by_language)
        ],
        "by_hour": [{"key": hour, "label": f"{hour:02d}:00", **by_hour[hour]} for hour in range(24)],
        "by_day": [{"key": day, "label": f"{day:%-d %b}", **by_day[day]} for day in days],
    }
