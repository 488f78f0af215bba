"""Measure what an agent waits for while a borrower is on the line: finding the customer, then their page.

The bench's customers use phones +917… and loan ids BENCHS-…, the state ``BenchSearch`` and an agent
user of its own; they, their history and that user are removed afterwards. Run it on a development or
benchmark database, never on production.

Each search is the agents' search (``agents.selectors.customer_search``: matches, loans and do-not-call,
at most one page of them): a phone written in the ways lenders and agents write it, a loan id, and a name
fragment (half of them a first name and the start of a surname, half a surname alone, which matches one
customer in fifty). The customer page is fetched through the test client as the bench's agent, for
customers with a year of history: twelve monthly upload entries and thirty calls each.

The last line is ``customers=N phone_p95_ms=… loan_p95_ms=… name_p95_ms=… page_p95_ms=…``.
"""

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from agents.selectors import customer_search
from calls.models import Call, CallStatus, Disposition, Provider
from customers.models import Customer, Loan
from uploads.models import FileUpload, RowOutcome, UploadRow
from voiceassist.common.roles import AGENT

PHONE_BASE = 7_000_000_000
LOAN_PREFIX = "BENCHS-"
STATE = "BenchSearch"
AGENT_USERNAME = "bench-search-agent"
UPLOAD_NAME = "bench-search.csv"
WARMUP = 10
MONTHS = 12
CALLS_PER_CUSTOMER = 30
BATCH = 10_000
FIRST_NAMES = [
    "Aarav", "Aditi", "Ajay", "Amit", "Anita", "Anjali", "Arjun", "Asha", "Deepa", "Divya",
    "Gita", "Gopal", "Hari", "Isha", "Kavita", "Kiran", "Lakshmi", "Mahesh", "Meena", "Mohan",
    "Nisha", "Pooja", "Prakash", "Priya", "Rahul", "Rajesh", "Ramesh", "Ravi", "Rekha", "Sanjay",
    "Savita", "Shanti", "Sunil", "Suresh", "Swati", "Uma", "Usha", "Vijay", "Vinod", "Yash",
]  # fmt: skip
SURNAMES = [
    "Agarwal", "Bhat", "Banerjee", "Chauhan", "Chopra", "Das", "Desai", "Dubey", "Gupta", "Hegde",
    "Iyer", "Jain", "Joshi", "Kapoor", "Khan", "Kulkarni", "Kumar", "Malhotra", "Mehta", "Menon",
    "Mishra", "Mukherjee", "Nair", "Naidu", "Pandey", "Patel", "Patil", "Pillai", "Rao", "Reddy",
    "Saxena", "Sen", "Shah", "Sharma", "Shetty", "Singh", "Sinha", "Srivastava", "Thakur", "Tiwari",
    "Trivedi", "Varma", "Verma", "Yadav", "Bose", "Ghosh", "Chatterjee", "Pathak", "Dutta", "Kaur",
]  # fmt: skip


def _name(i: int) -> str:
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i // len(FIRST_NAMES)) % len(SURNAMES)]}"


def _national(i: int) -> str:
    return str(PHONE_BASE + i)


def _p95_ms(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] * 1000 if len(timings) > 1 else timings[0] * 1000


class Command(BaseCommand):
    help = "Benchmark the agents' customer search (phone, loan id, name) and the customer page."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--searches", type=int, default=300, help="Searches of each kind.")
        parser.add_argument("--pages", type=int, default=200, help="Customer pages fetched.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, customers: int, searches: int, pages: int, seed: int, **options) -> None:
        rng = random.Random(seed)  # noqa: S311 (a benchmark)
        self._cleanup()
        try:
            started = time.perf_counter()
            self._seed(customers)
            self._analyze()
            self.stdout.write(f"database={connection.vendor} seeded in {time.perf_counter() - started:.1f}s")
            phone = self._measure(self._phone_queries(customers, searches, rng))
            loan = self._measure([f"{LOAN_PREFIX}{rng.randrange(customers):08d}" for _ in range(searches)])
            name = self._measure(self._name_queries(customers, searches, rng))
            page = self._measure_pages(rng.sample(range(customers), min(pages, customers)))
            self.stdout.write(
                f"customers={customers} phone_p95_ms={phone:.1f} loan_p95_ms={loan:.1f} "
                f"name_p95_ms={name:.1f} page_p95_ms={page:.1f}"
            )
        finally:
            self._cleanup()

    # --- Measuring --------------------------------------------------------------------------------

    def _phone_queries(self, count: int, searches: int, rng: random.Random) -> list[str]:
        formats: list[Callable[[str], str]] = [
            lambda n: f"+91{n}",
            lambda n: f"0{n}",
            lambda n: f"{n[:5]} {n[5:]}",
            lambda n: f"0091-{n[:5]}-{n[5:]}",
            lambda n: f"{n}.0",
        ]
        return [rng.choice(formats)(_national(rng.randrange(count))) for _ in range(searches)]

    def _name_queries(self, count: int, searches: int, rng: random.Random) -> list[str]:
        """Half a first name and the start of a surname ("asha ra"), half a surname alone ("kumar")."""
        queries = []
        for n in range(searches):
            first, surname = _name(rng.randrange(count)).split(" ")
            if n % 2:
                queries.append(surname[: rng.randint(min(4, len(surname)), len(surname))].lower())
            else:
                queries.append(f"{first} {surname[:3]}".lower())
        return queries

    def _measure(self, queries: list[str]) -> float:
        for query in queries[:WARMUP]:
            customer_search(query=query)
        timings = []
        for query in queries:
            started = time.perf_counter()
            found = customer_search(query=query)
            timings.append(time.perf_counter() - started)
            if not found:
                raise AssertionError(f"The bench's search for {query!r} found nobody.")
        return _p95_ms(timings)

    def _measure_pages(self, indexes: list[int]) -> float:
        ids = self._history(indexes)
        agent = get_user_model().objects.create_user(username=AGENT_USERNAME, password=None)
        agent.groups.add(Group.objects.get(name=AGENT))
        client = Client()
        client.force_login(agent)
        timings = []
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for n, customer_id in enumerate(ids):
                url = reverse("customer-page", args=[customer_id])
                started = time.perf_counter()
                response = client.get(url)
                if n >= min(WARMUP, len(ids) - 1):
                    timings.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise AssertionError(f"GET {url} answered {response.status_code}.")
        client.logout()
        return _p95_ms(timings)

    # --- Seeding ----------------------------------------------------------------------------------

    def _seed(self, count: int) -> None:
        if connection.vendor == "postgresql":
            self._seed_postgresql(count)
            return
        now = timezone.now()
        for start in range(0, count, BATCH):
            chunk = range(start, min(start + BATCH, count))
            Customer.objects.bulk_create(
                [
                    Customer(full_name=_name(i), phone=f"+91{_national(i)}", state=STATE, phone_country="IN")
                    for i in chunk
                ]
            )
            ids = dict(
                Customer.objects.filter(phone__in=[f"+91{_national(i)}" for i in chunk]).values_list("phone", "id")
            )
            Loan.objects.bulk_create(
                [
                    Loan(
                        loan_id=f"{LOAN_PREFIX}{i:08d}",
                        customer_id=ids[f"+91{_national(i)}"],
                        outstanding_amount=Decimal(1000 + i % 5000),
                        due_date=now.date(),
                    )
                    for i in chunk
                ]
            )

    def _seed_postgresql(self, count: int) -> None:
        """Set-based inserts: the database generates the rows, a million in seconds rather than minutes."""
        customers, loans = Customer._meta.db_table, Loan._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {customers} (created_at, updated_at, full_name, phone, alternate_phones, email, "
                "state, preferred_language, national_id_fingerprint, national_id_last4) "
                "SELECT now(), now(), "
                "(%s::text[])[1 + i %% %s] || ' ' || (%s::text[])[1 + (i / %s) %% %s], "
                "'+91' || (%s + i)::text, '[]'::jsonb, '', %s, 'en', '', '' "
                "FROM generate_series(0, %s - 1) AS i",
                [
                    FIRST_NAMES,
                    len(FIRST_NAMES),
                    SURNAMES,
                    len(FIRST_NAMES),
                    len(SURNAMES),
                    PHONE_BASE,
                    STATE,
                    count,
                ],
            )
            # The loans' foreign-key checks are planned from the statistics: a table thought empty is
            # scanned once per loan.
            cursor.execute(f"ANALYZE {customers}")
            cursor.execute(
                f"INSERT INTO {loans} (created_at, updated_at, loan_id, customer_id, outstanding_amount, due_date, "
                "status) "
                "SELECT now(), now(), %s || lpad((substr(phone, 4)::bigint - %s)::text, 8, '0'), id, "
                "1000 + id %% 5000, current_date, 'active' "
                f"FROM {customers} WHERE state = %s",
                [LOAN_PREFIX, PHONE_BASE, STATE],
            )

    def _history(self, indexes: list[int]) -> list[int]:
        """A year for each sampled customer: an entry in each of twelve monthly files and thirty calls."""
        loans = list(
            Loan.objects.filter(loan_id__in=[f"{LOAN_PREFIX}{i:08d}" for i in indexes]).values_list(
                "id", "customer_id", "loan_id"
            )
        )
        now = timezone.now()
        disposition_id = Disposition.objects.filter(code="no_answer").values_list("id", flat=True).first()
        entries, calls = [], []
        for month in range(MONTHS):
            at = now - timedelta(days=30 * month)
            upload = FileUpload.objects.create(
                file=f"bench/{UPLOAD_NAME}", original_name=UPLOAD_NAME, checksum=f"bench-search-{month}"
            )
            for row_number, (_, customer_id, loan_id) in enumerate(loans, start=2):
                entries.append(
                    UploadRow(
                        upload=upload,
                        row_number=row_number,
                        outcome=RowOutcome.UPDATED if month < MONTHS - 1 else RowOutcome.CREATED,
                        customer_id=customer_id,
                        loan_id=loan_id,
                        values={"Loan ID": loan_id, "Outstanding": str(1000 + month)},
                        changes={"outstanding_amount": [str(1100 + month), str(1000 + month)]},
                        created_at=at,
                    )
                )
        for loan_pk, customer_id, _ in loans:
            for n in range(CALLS_PER_CUSTOMER):
                at = now - timedelta(days=12 * n + 1)
                calls.append(
                    Call(
                        customer_id=customer_id,
                        loan_id=loan_pk,
                        phone_dialled="+910000000000",
                        provider=Provider.SIMULATED,
                        status=CallStatus.NO_ANSWER,
                        disposition_id=disposition_id,
                        scheduled_for=at,
                        queued_at=at,
                        started_at=at,
                        ended_at=at + timedelta(seconds=40),
                    )
                )
        UploadRow.objects.bulk_create(entries, batch_size=2000)
        Call.objects.bulk_create(calls, batch_size=2000)
        self._analyze()
        return [customer_id for _, customer_id, _ in loans]

    def _analyze(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in (Customer, Loan, Call, UploadRow):
                cursor.execute(f"ANALYZE {model._meta.db_table}")

    # --- Cleaning up ------------------------------------------------------------------------------

    def _cleanup(self) -> None:
        """Set-based deletes of the bench's own rows (the ORM would load them one by one)."""
        calls, loans, customers = Call._meta.db_table, Loan._meta.db_table, Customer._meta.db_table
        entries, uploads = UploadRow._meta.db_table, FileUpload._meta.db_table
        bench_customers = f"SELECT id FROM {customers} WHERE state = %s"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM calls_callevent WHERE call_id IN (SELECT id FROM {calls} WHERE customer_id IN "
                f"({bench_customers}))",
                [STATE],
            )
            cursor.execute(f"DELETE FROM {calls} WHERE customer_id IN ({bench_customers})", [STATE])
            cursor.execute(
                f"DELETE FROM {entries} WHERE upload_id IN (SELECT id FROM {uploads} WHERE original_name = %s)",
                [UPLOAD_NAME],
            )
            cursor.execute(f"DELETE FROM {uploads} WHERE original_name = %s", [UPLOAD_NAME])
            cursor.execute(f"DELETE FROM {loans} WHERE loan_id LIKE %s", [f"{LOAN_PREFIX}%"])
            cursor.execute(f"DELETE FROM {customers} WHERE state = %s AND phone LIKE %s", [STATE, "+917%"])
        get_user_model().objects.filter(username=AGENT_USERNAME).delete()
