"""Demo users and data for the embedded setup. Safe to run again: it updates what it made."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from customers.services import customer_upsert, loan_upsert
from voiceassist.common.roles import AGENT, BACK_OFFICE
from voiceassist.common.services import roles_sync, user_ensure_with_role

DEMO_USERS = (
    ("backoffice", "backoffice-demo", BACK_OFFICE, "Bina Office"),
    ("agent", "agent-demo", AGENT, "Arjun Agent"),
)
FIRST_NAMES = ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Karan", "Meera", "Rahul", "Divya")
LAST_NAMES = ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Das", "Kulkarni", "Mehta")
STATES = ("Maharashtra", "Karnataka", "Tamil Nadu", "Delhi", "Uttar Pradesh", "West Bengal", "Gujarat")


class Command(BaseCommand):
    help = "Create the demo back-office and agent users and a few demo customers with loans."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=40)

    @transaction.atomic
    def handle(self, *args, customers: int, **options) -> None:
        roles_sync()
        for username, password, role, full_name in DEMO_USERS:
            user_ensure_with_role(username=username, password=password, role=role, full_name=full_name)

        rng = random.Random(2026)
        today = timezone.localdate()
        for index in range(customers):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            result = customer_upsert(
                phone=f"+9198{index:08d}",
                full_name=name,
                state=rng.choice(STATES),
                preferred_language=rng.choice(("en", "hi")),
            )
            loan_upsert(
                customer=result.instance,
                loan_id=f"DEMO-LN-{index:05d}",
                principal_amount=Decimal(rng.randrange(20_000, 500_000, 1_000)),
                outstanding_amount=Decimal(rng.randrange(2_000, 60_000, 500)),
                due_date=today + timedelta(days=rng.randint(-20, 25)),
                days_past_due=rng.choice((0, 0, 0, 5, 15, 35)),
            )

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {customers} customers with one loan each."))
        self.stdout.write("Demo users (username / password):")
        for username, password, role, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<12} {username} / {password}")
