"""What-if: the guard's answer for a described situation, without touching real data.

A scenario names a moment, a channel, a customer, their loans and their history (calls, promises,
suppressions). ``scenario_evaluate`` writes it as real rows inside a transaction, asks the very guard
the dispatcher and the worker ask, and rolls everything back. ``manage.py compliance_check`` runs it
over a file of scenarios.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from calls.models import AnsweredBy, Call, CallStatus, Disposition, PromiseStatus, PromiseToPay, Provider
from customers.models import Customer, Loan, LoanStatus, Suppression, SuppressionKind, loan_status_for
from customers.phones import phone_try_normalize
from customers.widgets import AmountWidget

from .engine import Channel, GuardRequest
from .session import GuardSession

# A past call's result -> (status, who answered, disposition, reached the network).
CALL_RESULTS: dict[str, tuple[str, str, str | None, bool]] = {
    "no_answer": (CallStatus.NO_ANSWER, "", "no_answer", True),
    "busy": (CallStatus.BUSY, "", "busy", True),
    "machine": (CallStatus.COMPLETED, AnsweredBy.MACHINE, "machine", True),
    "conversation": (CallStatus.COMPLETED, AnsweredBy.HUMAN, "conversation", True),
    "in_progress": (CallStatus.IN_PROGRESS, AnsweredBy.HUMAN, None, True),
    "failed_before_dial": (CallStatus.FAILED, "", "failed", False),
    "failed": (CallStatus.FAILED, "", "failed", True),
}
SUPPRESSION_TYPES = {kind.value for kind in SuppressionKind}


class ScenarioError(ValueError):
    """The scenario cannot be read; the message says which part."""


class _Rollback(Exception):
    pass


def _moment(value: Any, where: str) -> datetime:
    moment = parse_datetime(str(value)) if value else None
    if moment is None or moment.tzinfo is None:
        raise ScenarioError(f"{where}: {value!r} is not an ISO 8601 time with an offset.")
    return moment


def _day(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ScenarioError(f"{where}: {value!r} is not an ISO date.") from exc


def _amount(value: Any, where: str) -> Decimal | None:
    """An amount as a lender's file may write it (``12000.00``, ``1,00,000``, ``₹500``): the files' own widget."""
    try:
        return AmountWidget().clean(value)
    except ValueError as exc:
        raise ScenarioError(f"{where}: {exc}") from exc


def scenario_evaluate(scenario: dict[str, Any]) -> dict[str, Any]:
    """``{"id", "allowed", "reason", "next_allowed_at", "message"}`` for one scenario; nothing is kept."""
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result = _evaluate(scenario)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _evaluate(scenario: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(scenario, dict):
        raise ScenarioError("a scenario is a JSON object.")
    at = _moment(scenario.get("at"), "at")
    channel = scenario.get("channel") or Channel.BOT
    if channel not in {c.value for c in Channel}:
        raise ScenarioError(f"channel: {channel!r} is not one of {', '.join(c.value for c in Channel)}.")
    customer = _customer(scenario.get("customer") or {})
    loans = _loans(customer, scenario.get("loans") or [], scenario.get("loan_id"))
    for index, item in enumerate(scenario.get("history") or []):
        _history(customer, loans, item, f"history[{index}]")
    loan_id = scenario.get("loan_id")
    request = GuardRequest(
        customer_id=customer.pk,
        phone=customer.phone,
        state=customer.state,
        loan_id=loans[str(loan_id)].pk if loan_id not in (None, "") else None,
        channel=Channel(channel),
    )
    decision = GuardSession(customer_ids=[customer.pk], at=at).decide(request)
    return {
        "id": scenario.get("id"),
        "allowed": decision.allowed,
        "reason": decision.code or None,
        "next_allowed_at": decision.next_allowed_at.isoformat() if decision.next_allowed_at else None,
        "message": decision.message or "Allowed now.",
    }


def _customer(data: dict[str, Any]) -> Customer:
    raw = data.get("phone")
    phone = phone_try_normalize(raw) or _possible_number(raw)
    if not phone:
        raise ScenarioError(f"customer.phone: {raw!r} is not a phone number.")
    # A real customer with this number stays out of the what-if (and is back as it was after the rollback).
    Customer.objects.filter(phone=phone).update(phone=f"+0{uuid.uuid4().int % 10**14:014d}")
    customer = Customer.objects.create(
        full_name=str(data.get("name") or "What-if customer"), phone=phone, state=str(data.get("state") or "")
    )
    if data.get("do_not_call"):
        Suppression.objects.create(
            customer=customer, kind=SuppressionKind.DO_NOT_CALL, reason="do_not_call in the scenario", source="admin"
        )
    return customer


def _possible_number(raw: Any) -> str:
    """A number of the right shape that no real line has (``+1 555 …``, fine for a what-if), in E.164."""
    try:
        number = phonenumbers.parse(str(raw or ""), settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_possible_number(number)
        else ""
    )


def _loans(customer: Customer, items: list[dict[str, Any]], asked: Any) -> dict[str, Loan]:
    loans: dict[str, Loan] = {}
    for index, item in enumerate(items):
        loan_id = str(item.get("loan_id") or "")
        if not loan_id:
            raise ScenarioError(f"loans[{index}]: a loan needs a loan_id.")
        loans[loan_id] = _loan(customer, loan_id, item, f"loans[{index}]")
    if asked not in (None, "") and str(asked) not in loans:
        loans[str(asked)] = _loan(customer, str(asked), {}, "loan_id")
    return loans


def _loan(customer: Customer, loan_id: str, item: dict[str, Any], where: str) -> Loan:
    Loan.objects.filter(loan_id=loan_id).update(loan_id=f"what-if-{uuid.uuid4().hex}")
    outstanding = _amount(item.get("outstanding"), f"{where}.outstanding")
    return Loan.objects.create(
        customer=customer,
        loan_id=loan_id,
        outstanding_amount=outstanding,
        due_date=_day(item["due_date"], f"{where}.due_date") if item.get("due_date") else None,
        status=loan_status_for(status=item.get("status") or LoanStatus.ACTIVE, outstanding=outstanding),
    )


def _history(customer: Customer, loans: dict[str, Loan], item: dict[str, Any], where: str) -> None:
    kind = item.get("type")
    at = _moment(item.get("at"), f"{where}.at")
    loan_key = item.get("loan_id")
    loan = None
    if loan_key not in (None, ""):
        loan = loans.get(str(loan_key)) or _loan(customer, str(loan_key), {}, where)
        loans[str(loan_key)] = loan
    if kind == "call":
        _past_call(customer, loan, at, item, where)
    elif kind == "promise":
        if loan is None:
            raise ScenarioError(f"{where}: a promise is about a loan (loan_id).")
        amount = _amount(item.get("amount"), f"{where}.amount") or loan.outstanding_amount or Decimal("1")
        status = item.get("status") or PromiseStatus.OPEN
        if status == PromiseStatus.OPEN:
            # A loan holds one open promise: a later one in the history replaces the earlier, as in life.
            PromiseToPay.objects.filter(loan=loan, status=PromiseStatus.OPEN).update(status=PromiseStatus.REPLACED)
        promise = PromiseToPay.objects.create(
            customer=customer,
            loan=loan,
            amount=amount,
            promised_date=_day(item.get("date"), f"{where}.date"),
            grace_days=int(item["grace_days"]) if item.get("grace_days") is not None else 3,
            status=status,
        )
        PromiseToPay.objects.filter(pk=promise.pk).update(created_at=at)
    elif kind in SUPPRESSION_TYPES:
        suppression = Suppression.objects.create(
            customer=customer,
            kind=kind,
            loan=loan if kind in (SuppressionKind.DISPUTE, SuppressionKind.ATTORNEY) else None,
            phone=customer.phone if kind == SuppressionKind.WRONG_NUMBER else "",
            reason=str(item.get("reason") or f"{kind} in the scenario"),
            source="outcome",
        )
        Suppression.objects.filter(pk=suppression.pk).update(created_at=at)
    else:
        raise ScenarioError(
            f"{where}.type: {kind!r} is not call, promise or a suppression ({', '.join(SUPPRESSION_TYPES)})."
        )


def _past_call(customer: Customer, loan: Loan | None, at: datetime, item: dict[str, Any], where: str) -> None:
    result = item.get("result")
    if result not in CALL_RESULTS:
        raise ScenarioError(f"{where}.result: {result!r} is not one of {', '.join(CALL_RESULTS)}.")
    status, answered_by, disposition, reached = CALL_RESULTS[result]
    by = item.get("by") or "bot"
    if by not in ("bot", "agent"):
        raise ScenarioError(f"{where}.by: {by!r} is not bot or agent.")
    Call.objects.create(
        customer=customer,
        loan=loan,
        phone_dialled=customer.phone,
        provider=Provider.MANUAL if by == "agent" else Provider.SIMULATED,
        status=status,
        scheduled_for=at,
        queued_at=at if by == "bot" else None,
        started_at=at if reached else None,
        answered_by=answered_by,
        ended_at=None if status == CallStatus.IN_PROGRESS else at,
        disposition=Disposition.objects.filter(code=disposition).first() if disposition else None,
    )
