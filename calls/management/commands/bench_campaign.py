"""Measure starting a campaign of N customers, one dispatcher tick, and the dial-time guard.

The bench's customers use phones +9160… and loan ids BENCHC-…; they, their history and the campaign
are removed afterwards. Run it on a development or benchmark database, never on production.

The last line is ``customers=N schedule_seconds=… scheduled_per_s=… tick_ms=… guard_checks_per_s=…``:
``guard_checks_per_s`` is the check the worker makes at the instant of dialling, one call at a time
(its customer's facts read and judged), over 1,000 due calls whose customers have a realistic history:
attempts of the last days, conversations, open promises, suppressions and calls on the line.
"""

import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from calls.compliance import guard_check_call, jurisdiction_for
from calls.models import AnsweredBy, Call, CallStatus, Campaign, Disposition, PromiseToPay, Provider
from calls.services.campaigns import campaign_start
from calls.services.dispatch import dispatch_due_calls
from customers.models import Customer, Loan, Suppression, SuppressionKind

PHONE_BASE = 6_000_000_000
LOAN_PREFIX = "BENCHC-"
NAME = "bench campaign"
CHECKED = 1000
# A past attempt's result: (status, answered by, disposition), with its share of the history.
HISTORY = [
    ((CallStatus.NO_ANSWER, "", "no_answer"), 40),
    ((CallStatus.BUSY, "", "busy"), 15),
    ((CallStatus.COMPLETED, AnsweredBy.MACHINE, "machine"), 15),
    ((CallStatus.COMPLETED, AnsweredBy.HUMAN, "conversation"), 20),
    ((CallStatus.COMPLETED, AnsweredBy.HUMAN, "refused"), 10),
]


def _bench_noon() -> datetime:
    """Noon in India on the next day that is no public holiday: every rule has work to do, none refuses all."""
    place = jurisdiction_for(f"+91{PHONE_BASE}")
    day = timezone.now().astimezone(place.home_zone).date() + timedelta(days=1)
    while place.holiday(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=place.home_zone)


class Command(BaseCommand):
    help = "Benchmark scheduling a campaign of N customers, a dispatcher tick and the dial-time guard."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, customers: int, seed: int, **options) -> None:
        self._cleanup()
        try:
            self._seed(customers)
            noon = _bench_noon()
            self._history(min(customers, CHECKED), noon, random.Random(seed))  # noqa: S311 (a benchmark)
            campaign = Campaign.objects.create(name=NAME, audience_states=["Bench"])
            started = time.perf_counter()
            scheduled = campaign_start(campaign=campaign, actor=None)
            schedule_seconds = time.perf_counter() - started
            # Make the first calls due at a moment inside the calling hours, then time one tick.
            Call.objects.filter(campaign=campaign).update(scheduled_for=noon)
            started = time.perf_counter()
            with transaction.atomic():
                counts = dispatch_due_calls(now=noon)
                transaction.set_rollback(True)  # measured, not dialled
            tick_ms = (time.perf_counter() - started) * 1000
            checks_per_s, allowed = self._dial_time_checks(campaign, noon)
            self.stdout.write(f"database={connection.vendor} scheduled={scheduled} tick={counts}")
            self.stdout.write(f"dial-time checks: {CHECKED} calls, {allowed} allowed")
            self.stdout.write(
                f"customers={customers} schedule_seconds={schedule_seconds:.2f} "
                f"scheduled_per_s={scheduled / schedule_seconds:.0f} tick_ms={tick_ms:.0f} "
                f"guard_checks_per_s={checks_per_s:.0f}"
            )
        finally:
            self._cleanup()

    def _dial_time_checks(self, campaign: Campaign, noon: datetime) -> tuple[float, int]:
        """The worker's check for each of 1,000 due calls, one at a time, as at the instant of dialling."""
        calls = list(
            Call.objects.filter(campaign=campaign).select_related("customer", "campaign").order_by("id")[:CHECKED]
        )
        started = time.perf_counter()
        allowed = sum(1 for call in calls if guard_check_call(call=call, at=noon))
        return len(calls) / (time.perf_counter() - started), allowed

    def _seed(self, count: int) -> None:
        now = timezone.now()
        for start in range(0, count, 5000):
            chunk = range(start, min(start + 5000, count))
            Customer.objects.bulk_create(
                [
                    Customer(
                        full_name=f"Bench {i}", phone=f"+91{PHONE_BASE + i}", state="Bench", phone_country="IN"
                    )
                    for i in chunk
                ]
            )
            ids = dict(
                Customer.objects.filter(phone__in=[f"+91{PHONE_BASE + i}" for i in chunk]).values_list("phone", "id")
            )
            Loan.objects.bulk_create(
                [
                    Loan(
                        loan_id=f"{LOAN_PREFIX}{i:08d}",
                        customer_id=ids[f"+91{PHONE_BASE + i}"],
                        outstanding_amount=Decimal(1000 + i % 5000),
                        due_date=now.date(),
                    )
                    for i in chunk
                ]
            )

    def _history(self, count: int, noon: datetime, rng: random.Random) -> None:
        """The first ``count`` customers' last week: 0–6 attempts, a promise, a suppression, a live call."""
        dispositions = dict(Disposition.objects.values_list("code", "id"))
        loans = Loan.objects.filter(loan_id__startswith=LOAN_PREFIX).order_by("loan_id")[:count]
        calls, promises, suppressions = [], [], []
        for loan in loans.only("id", "customer_id"):
            for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 5, 6])):
                (status, answered_by, code) = rng.choices([h for h, _ in HISTORY], [w for _, w in HISTORY])[0]
                at = noon - timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 3))
                calls.append(
                    Call(
                        customer_id=loan.customer_id,
                        loan_id=loan.pk,
                        phone_dialled="+910000000000",
                        provider=Provider.SIMULATED,
                        status=status,
                        answered_by=answered_by,
                        disposition_id=dispositions[code],
                        scheduled_for=at,
                        queued_at=at,
                        started_at=at,
                        ended_at=at + timedelta(minutes=1),
                    )
                )
            roll = rng.random()
            if roll < 0.10:
                promises.append(
                    PromiseToPay(
                        customer_id=loan.customer_id,
                        loan_id=loan.pk,
                        amount=Decimal("500"),
                        promised_date=noon.date() + timedelta(days=rng.randint(-3, 5)),
                    )
                )
            elif roll < 0.15:
                suppressions.append(
                    Suppression(
                        customer_id=loan.customer_id,
                        kind=rng.choice([SuppressionKind.DISPUTE, SuppressionKind.STOP_CALLING]),
                        loan_id=loan.pk,
                        reason="bench",
                        source="admin",
                    )
                )
            elif roll < 0.17:  # an agent on the phone with them (no provider slot taken)
                calls.append(
                    Call(
                        customer_id=loan.customer_id,
                        loan_id=loan.pk,
                        phone_dialled="+910000000000",
                        provider=Provider.MANUAL,
                        status=CallStatus.IN_PROGRESS,
                        scheduled_for=noon,
                        started_at=noon - timedelta(minutes=2),
                    )
                )
        Call.objects.bulk_create(calls, batch_size=2000)
        PromiseToPay.objects.bulk_create(promises, batch_size=2000)
        Suppression.objects.bulk_create(suppressions, batch_size=2000)

    def _cleanup(self) -> None:
        """Set-based deletes of the bench's own rows (the ORM would load them one by one)."""
        calls, campaigns = Call._meta.db_table, Campaign._meta.db_table
        loans, customers = Loan._meta.db_table, Customer._meta.db_table
        bench_customers = f"SELECT id FROM {customers} WHERE state = %s AND full_name LIKE %s"
        bench = ["Bench", "Bench %"]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM calls_callevent WHERE call_id IN (SELECT id FROM {calls} WHERE customer_id IN "
                f"({bench_customers}))",
                bench,
            )
            cursor.execute(f"DELETE FROM {calls} WHERE customer_id IN ({bench_customers})", bench)
            cursor.execute(f"DELETE FROM {campaigns} WHERE name = %s", [NAME])
            cursor.execute(f"DELETE FROM {PromiseToPay._meta.db_table} WHERE customer_id IN ({bench_customers})", bench)
            cursor.execute(f"DELETE FROM {Suppression._meta.db_table} WHERE customer_id IN ({bench_customers})", bench)
            cursor.execute(f"DELETE FROM {loans} WHERE loan_id LIKE %s", [f"{LOAN_PREFIX}%"])
            cursor.execute(f"DELETE FROM {customers} WHERE state = %s AND full_name LIKE %s", bench)
