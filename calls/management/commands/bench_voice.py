"""Measure speech turns through Twilio's webhook view: signature check, understanding, the conversation's
state change, the turn's records, and the TwiML answer — what a borrower waits on between sentences.

``python manage.py bench_voice --turns N`` answers N turns over N/3 conversations ("yes" to the
right-party check, a promise with an amount and a date, "yes" to the confirmation), in English, Hindi
and Hinglish, each a signed POST through the full middleware stack. The greeting (the voice URL) is
not counted. The bench's customers use phones +9170… and loan ids BENCHV-…; they and everything their
calls left are removed afterwards. Run it on a development or benchmark database, never on production.

The last line is ``turns=N p50_ms=… p95_ms=… turns_per_s=…``.
"""

import math
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from calls.models import AnsweredBy, Call, CallStatus, Campaign, PromiseToPay, WorkItem
from customers.models import Customer, Loan, PhoneType, Suppression

PHONE_BASE = 7_000_000_000  # +917000000000…
LOAN_PREFIX = "BENCHV-"
NAME = "bench voice"
TOKEN = "bench-voice-auth-token"  # noqa: S105 (a signing key for this bench's own requests)
BASE_URL = "https://bench.voice.invalid"
# (language, [answer to the greeting, the promise, the confirmation]).
CONVERSATIONS = [
    ("en", ["yes speaking", "I will pay 5000 tomorrow", "yes that's right"]),
    ("en", ["yes", "I can pay two thousand five hundred by day after tomorrow", "yes"]),
    ("hi", ["haan ji main hi bol raha hoon", "main parso paanch hazaar de dunga", "haan sahi hai"]),
    ("hi", ["हाँ, बोल रहा हूँ", "मैं कल बारह हजार पांच सौ दे दूंगा", "हाँ"]),
]


class Command(BaseCommand):
    help = "Benchmark speech turns through the Twilio webhook view (p50, p95, turns per second)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--turns", type=int, default=300)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args, turns: int, seed: int, **options) -> None:
        self._cleanup()
        try:
            with override_settings(TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=BASE_URL, ALLOWED_HOSTS=["*"]):
                timings = self._run(turns, random.Random(seed))  # noqa: S311 (repeatable, not a secret)
        finally:
            self._cleanup()
        timings.sort()
        p50 = statistics.median(timings) * 1000
        p95 = timings[max(0, math.ceil(len(timings) * 0.95) - 1)] * 1000
        per_second = len(timings) / sum(timings)
        self.stdout.write(f"turns={len(timings)} p50_ms={p50:.1f} p95_ms={p95:.1f} turns_per_s={per_second:.0f}")

    def _run(self, turns: int, rng: random.Random) -> list[float]:
        conversations = max(1, math.ceil(turns / 3))
        calls = self._seed(conversations, rng)
        client = Client(raise_request_exception=True)
        validator = RequestValidator(TOKEN)
        timings: list[float] = []
        for call, (_, answers) in calls:
            path, data, headers = self._signed(validator, reverse("api-call-voice", args=["twilio", call.pk]), {})
            client.post(path, data, headers=headers)
            for answer in answers:
                if len(timings) >= turns:
                    return timings
                fields = {"CallSid": call.provider_call_id, "SpeechResult": answer, "Confidence": "0.87"}
                path, data, headers = self._signed(
                    validator, reverse("api-call-gather", args=["twilio", call.pk]), fields
                )
                started = time.perf_counter()
                response = client.post(path, data, headers=headers)
                timings.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"The gather view answered {response.status_code}: {response.content[:200]!r}")
        return timings

    @staticmethod
    def _signed(validator: RequestValidator, path: str, fields: dict) -> tuple[str, dict, dict]:
        signature = validator.compute_signature(BASE_URL + path, fields)
        return path, fields, {"X-Twilio-Signature": signature}

    @transaction.atomic
    def _seed(self, count: int, rng: random.Random) -> list[tuple[Call, tuple]]:
        campaign = Campaign.objects.create(name=NAME, provider="twilio")
        customers = Customer.objects.bulk_create(
            Customer(
                full_name=f"Bench Borrower {index}",
                phone=f"+91{PHONE_BASE + index}",
                state="Maharashtra",
                phone_type=PhoneType.MOBILE,
                phone_country="IN",
                preferred_language=CONVERSATIONS[index % len(CONVERSATIONS)][0],
            )
            for index in range(count)
        )
        today = timezone.localdate()
        Loan.objects.bulk_create(
            Loan(
                customer=customer,
                loan_id=f"{LOAN_PREFIX}{index:08d}",
                outstanding_amount=Decimal(rng.randrange(20_000, 90_000, 500)),
                due_date=today - timedelta(days=rng.randint(-10, 40)),
            )
            for index, customer in enumerate(customers)
        )
        now = timezone.now()
        calls = Call.objects.bulk_create(
            Call(
                campaign=campaign,
                customer=customer,
                phone_dialled=customer.phone,
                provider="twilio",
                provider_call_id=f"CABENCH{index:026d}",
                status=CallStatus.IN_PROGRESS,
                answered_by=AnsweredBy.HUMAN,
                scheduled_for=now,
                started_at=now,
                answered_at=now,
            )
            for index, customer in enumerate(customers)
        )
        return [(call, CONVERSATIONS[index % len(CONVERSATIONS)]) for index, call in enumerate(calls)]

    @transaction.atomic
    def _cleanup(self) -> None:
        ids = list(
            Customer.objects.filter(phone__startswith="+917", full_name__startswith="Bench Borrower").values_list(
                "pk", flat=True
            )
        )
        WorkItem.objects.filter(customer_id__in=ids).delete()
        PromiseToPay.objects.filter(customer_id__in=ids).delete()
        Call.objects.filter(customer_id__in=ids).delete()
        Suppression.objects.filter(customer_id__in=ids).delete()
        Campaign.objects.filter(name=NAME).delete()
        Loan.objects.filter(customer_id__in=ids).delete()
        Customer.objects.filter(pk__in=ids).delete()
