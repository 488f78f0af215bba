"""What the guard needs to know about customers, read for many at once in a fixed number of queries.

A dispatcher tick asks about a thousand calls; the dial-time check about one. Both read the same
facts the same way: the attempts of the last days, the calls on the line, the suppressions in force,
the open promises and the customer's loans.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db import connection

from calls.models import Call, Disposition, PromiseStatus, PromiseToPay
from calls.services.status import LIVE
from customers.models import Loan, Suppression

# How far back attempts matter: seven local days, with room for any time zone.
LOOKBACK = timedelta(days=9)


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    loan_id: int | None  # None: about no loan in particular, so about every one of them
    conversation: bool  # the borrower was spoken to (a right-party contact)


@dataclass(frozen=True, slots=True)
class SuppressionFact:
    kind: str
    loan_id: int | None
    phone: str
    reason: str


@dataclass(frozen=True, slots=True)
class PromiseFact:
    loan_id: int
    amount: Decimal
    promised_date: date
    last_day: date  # the promised date plus grace days: no calls about the loan until the day after


@dataclass(frozen=True, slots=True)
class LoanFact:
    loan_id: str  # the lender's id, for messages
    status: str


@dataclass(slots=True)
class CustomerFacts:
    attempts: list[Attempt] = field(default_factory=list)
    live_calls: set[int] = field(default_factory=set)
    suppressions: list[SuppressionFact] = field(default_factory=list)
    promises: list[PromiseFact] = field(default_factory=list)
    loans: dict[int, LoanFact] = field(default_factory=dict)

    def note_dialled(self, call_id: int) -> None:
        """A call of this customer's was just handed on: later checks in the same pass see it live."""
        self.live_calls.add(call_id)


def facts_load(*, customer_ids: list[int] | set[int], at: datetime) -> dict[int, CustomerFacts]:
    """The facts of every customer in ``customer_ids`` as of ``at`` (attempts after ``at`` are not known yet).

    One statement per thousand customers: the dial-time check runs once per call, so its reads must
    cost one round trip, not five queries built by the ORM.
    """
    ids = list(set(customer_ids))
    facts = {customer_id: CustomerFacts() for customer_id in ids}
    since, until = (connection.ops.adapt_datetimefield_value(moment) for moment in (at - LOOKBACK, at))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        with connection.cursor() as cursor:
            _execute(cursor, chunk, since, until)
            for row in cursor.fetchall():
                _READERS[row[0]](facts[row[1]], row)
    return facts


_CHUNK = 1000
_CALL, _DISPOSITION = Call._meta.db_table, Disposition._meta.db_table
_SUPPRESSION, _PROMISE, _LOAN = Suppression._meta.db_table, PromiseToPay._meta.db_table, Loan._meta.db_table
# Fixed values of the product's own choices, written into the statement so that its parameters are
# only the customers and the time range.
_LIVE_SQL = ", ".join(f"'{status}'" for status in sorted(LIVE))
_OPEN_SQL = f"'{PromiseStatus.OPEN}'"
# The dial-time check asks about one customer per call: on PostgreSQL that statement is prepared once
# per connection, which spares the planner its work on every call (most of the statement's cost).
_PREPARED = "voiceassist_guard_facts_one"


def _facts_sql(ids: str, since: str, until: str) -> str:
    """Each fact as a row of one shape: (kind, customer, loan, moment, number, text×3, day, amount)."""
    return f"""
        SELECT 'a', c.customer_id, c.loan_id, c.started_at,
               CASE WHEN d.is_right_party_contact THEN 1 ELSE 0 END, CAST(NULL AS VARCHAR(300)),
               CAST(NULL AS VARCHAR(300)), CAST(NULL AS VARCHAR(300)), CAST(NULL AS DATE), CAST(NULL AS NUMERIC)
          FROM {_CALL} c LEFT JOIN {_DISPOSITION} d ON d.id = c.disposition_id
         WHERE c.customer_id IN ({ids}) AND c.started_at >= {since} AND c.started_at <= {until}
        UNION ALL
        SELECT 'l', customer_id, NULL, NULL, id, NULL, NULL, NULL, NULL, NULL
          FROM {_CALL} WHERE customer_id IN ({ids}) AND status IN ({_LIVE_SQL})
        UNION ALL
        SELECT 's', customer_id, loan_id, NULL, NULL, kind, phone, reason, NULL, NULL
          FROM {_SUPPRESSION} WHERE customer_id IN ({ids}) AND cleared_at IS NULL
        UNION ALL
        SELECT 'p', customer_id, loan_id, NULL, grace_days, NULL, NULL, NULL, promised_date, amount
          FROM {_PROMISE} WHERE customer_id IN ({ids}) AND status = {_OPEN_SQL}
        UNION ALL
        SELECT 'o', customer_id, id, NULL, NULL, loan_id, status, NULL, NULL, NULL
          FROM {_LOAN} WHERE customer_id IN ({ids})
    """  # noqa: S608 (table names and choices from the models, values as parameters)


@lru_cache(maxsize=8)
def _facts_sql_for(count: int) -> str:
    marks = ", ".join(["%s"] * count)
    return _facts_sql(marks, "%s", "%s")


def _execute(cursor, ids: list[int], since, until) -> None:
    if connection.vendor == "postgresql" and len(ids) == 1:
        if getattr(connection, "_guard_facts_prepared_on", None) is not connection.connection:
            cursor.execute(f"PREPARE {_PREPARED} (bigint, timestamptz, timestamptz) AS {_facts_sql('$1', '$2', '$3')}")
            # Prepared statements belong to the database session: a new connection prepares it again.
            connection._guard_facts_prepared_on = connection.connection
        cursor.execute(f"EXECUTE {_PREPARED} (%s, %s, %s)", [ids[0], since, until])
        return
    cursor.execute(_facts_sql_for(len(ids)), [*ids, since, until, *ids, *ids, *ids, *ids])


# Raw rows come back as each database stores them (SQLite: text); the model fields read them back.
_to_moment = Call._meta.get_field("started_at").to_python
_to_day = PromiseToPay._meta.get_field("promised_date").to_python
_to_amount = PromiseToPay._meta.get_field("amount").to_python


def _moment(value) -> datetime:
    moment = _to_moment(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _attempt(facts: CustomerFacts, row: tuple) -> None:
    facts.attempts.append(Attempt(at=_moment(row[3]), loan_id=row[2], conversation=bool(row[4])))


def _live(facts: CustomerFacts, row: tuple) -> None:
    facts.live_calls.add(row[4])


def _suppression(facts: CustomerFacts, row: tuple) -> None:
    facts.suppressions.append(SuppressionFact(kind=row[5], loan_id=row[2], phone=row[6], reason=row[7]))


def _promise(facts: CustomerFacts, row: tuple) -> None:
    promised = _to_day(row[8])
    facts.promises.append(
        PromiseFact(
            loan_id=row[2],
            amount=_to_amount(row[9]),
            promised_date=promised,
            last_day=promised + timedelta(days=row[4]),
        )
    )


def _loan(facts: CustomerFacts, row: tuple) -> None:
    facts.loans[row[2]] = LoanFact(loan_id=row[5], status=row[6])


_READERS = {"a": _attempt, "l": _live, "s": _suppression, "p": _promise, "o": _loan}
