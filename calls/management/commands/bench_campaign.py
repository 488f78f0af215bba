"""Measure starting a campaign of N customers and one dispatcher tick over the calls it made.

The bench's customers use phones +9160… and loan ids BENCHC-…; they and the campaign are removed
afterwards. Run it on a development or benchmark database, never on production.
"""

import time
from datetime import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from calls.models import Call, Campaign
from calls.services.campaigns import campaign_start
from calls.services.dispatch import dispatch_due_calls
from customers.models import Customer, Loan

PHONE_BASE = 6_000_000_000
LOAN_PREFIX = "BENCHC-"
NAME = "bench campaign"


class Command(BaseCommand):
    help = "Benchmark scheduling a campaign of N customers and a dispatcher tick."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=100_000)

    def handle(self, *args, customers: int, **options) -> None:
        self._cleanup()
        try:
            self._seed(customers)
            campaign = Campaign.objects.create(name=NAME, audience_states=["Bench"])
            started = time.perf_counter()
            scheduled = campaign_start(campaign=campaign, actor=None)
            schedule_seconds = time.perf_counter() - started
            # Make the first calls due at a moment inside the calling window, then time one tick.
            noon = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time().replace(hour=12)))
            Call.objects.filter(campaign=campaign).update(scheduled_for=noon)
            started = time.perf_counter()
            with transaction.atomic():
                counts = dispatch_due_calls(now=noon)
                transaction.set_rollback(True)  # measured, not dialled
            tick_ms = (time.perf_counter() - started) * 1000
            self.stdout.write(f"database={connection.vendor} scheduled={scheduled} tick={counts}")
            self.stdout.write(
                f"customers={customers} schedule_seconds={schedule_seconds:.2f} "
                f"scheduled_per_s={scheduled / schedule_seconds:.0f} tick_ms={tick_ms:.0f}"
            )
        finally:
            self._cleanup()

    def _seed(self, count: int) -> None:
        now = timezone.now()
        for start in range(0, count, 5000):
            chunk = range(start, min(start + 5000, count))
            Customer.objects.bulk_create(
                [Customer(full_name=f"Bench {i}", phone=f"+91{PHONE_BASE + i}", state="Bench") for i in chunk]
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

    def _cleanup(self) -> None:
        """Set-based deletes of the bench's own rows (the ORM would load them one by one)."""
        calls, campaigns = Call._meta.db_table, Campaign._meta.db_table
        loans, customers = Loan._meta.db_table, Customer._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM calls_callevent WHERE call_id IN (SELECT c.id FROM {calls} c "
                f"JOIN {campaigns} k ON k.id = c.campaign_id WHERE k.name = %s)",
                [NAME],
            )
            cursor.execute(
                f"DELETE FROM {calls} WHERE campaign_id IN (SELECT id FROM {campaigns} WHERE name = %s)", [NAME]
            )
            cursor.execute(f"DELETE FROM {campaigns} WHERE name = %s", [NAME])
            cursor.execute(f"DELETE FROM {loans} WHERE loan_id LIKE %s", [f"{LOAN_PREFIX}%"])
            cursor.execute(f"DELETE FROM {customers} WHERE state = %s AND full_name LIKE %s", ["Bench", "Bench %"])
