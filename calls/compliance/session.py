"""The guard asked about calls: many at one moment (a dispatcher pass), or one (the dial-time check)."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from .engine import Channel, GuardDecision, GuardRequest, guard_evaluate
from .facts import facts_load

if TYPE_CHECKING:
    from calls.models import Call
    from customers.models import Customer


def guard_request_for_call(call: "Call", *, channel: Channel = Channel.BOT) -> GuardRequest:
    campaign = call.campaign
    return GuardRequest(
        customer_id=call.customer_id,
        phone=call.phone_dialled or call.customer.phone,
        state=call.customer.state,
        loan_id=call.loan_id,
        channel=channel,
        window=(campaign.window_start, campaign.window_end) if campaign is not None else None,
        call_id=call.pk,
    )


class GuardSession:
    """The guard over many calls at one moment, with their customers' facts read once.

    A call handed on during the pass is noted (``note_dialled``), so a second call to the same customer
    later in the same pass is held back as a live call.
    """

    def __init__(self, *, customer_ids, at: datetime) -> None:
        self.at = at
        self.facts = facts_load(customer_ids=customer_ids, at=at)

    def decide(self, request: GuardRequest) -> GuardDecision:
        return guard_evaluate(request=request, facts=self.facts[request.customer_id], at=self.at)

    def note_dialled(self, request: GuardRequest) -> None:
        if request.call_id is not None:
            self.facts[request.customer_id].note_dialled(request.call_id)


def guard_check(*, request: GuardRequest, at: datetime | None = None) -> GuardDecision:
    """The guard for one request, at ``at`` (default now)."""
    at = at or timezone.now()
    return GuardSession(customer_ids=[request.customer_id], at=at).decide(request)


def guard_check_call(*, call: "Call", at: datetime | None = None, channel: Channel = Channel.BOT) -> GuardDecision:
    """The guard for a call about to be dialled: the check the worker makes at the instant of dialling."""
    return guard_check(request=guard_request_for_call(call, channel=channel), at=at)


def guard_check_customer(
    *, customer: "Customer", loan_id: int | None = None, channel: Channel = Channel.BOT, at: datetime | None = None
) -> GuardDecision:
    """May ``customer`` be called (about ``loan_id``, else about any of their loans) by ``channel`` now?"""
    request = GuardRequest(
        customer_id=customer.pk, phone=customer.phone, state=customer.state, loan_id=loan_id, channel=channel
    )
    return guard_check(request=request, at=at)


def guard_explain(*, customer: "Customer", at: datetime | None = None) -> list[tuple[str, GuardDecision]]:
    """ "Why not now?" for back office: the bot's answer for each of the customer's active loans (or, with
    none, for the customer), at ``at`` (default now). Pairs of (what, decision)."""
    from customers.models import LoanStatus

    at = at or timezone.now()
    session = GuardSession(customer_ids=[customer.pk], at=at)
    loans = [
        (pk, loan.loan_id)
        for pk, loan in sorted(session.facts[customer.pk].loans.items())
        if loan.status == LoanStatus.ACTIVE
    ]
    targets = [(f"Loan {loan_id}", pk) for pk, loan_id in loans] or [("The customer", None)]
    return [
        (
            what,
            session.decide(
                GuardRequest(customer_id=customer.pk, phone=customer.phone, state=customer.state, loan_id=pk)
            ),
        )
        for what, pk in targets
    ]
