"""What a call's answer leads to: suppressions and follow-ups for agents (promises have their own
service, ``promises``).

Every conversation outcome, the bot's or an agent's, goes through ``call_outcome_apply``: it records
the disposition and does what that outcome means (``OUTCOME_EFFECTS``), and a final outcome ends the
calls still scheduled about the loan.
"""


from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallStatus, Disposition, PromiseToPay, WorkItem, WorkItemKind
from customers.models import Customer, Loan, SuppressionKind, SuppressionSource
from customers.services import suppression_set_for

from .status import calls_transition_bulk


def work_item_create(
    *,
    kind: str,
    customer: Customer,
    loan: Loan | None = None,
    call: Call | None = None,
    promise: PromiseToPay | None = None,
    note: str = "",
    due_at=None,
) -> WorkItem:
    return WorkItem.objects.create(
        kind=kind,
        customer=customer,
        loan=loan,
        call=call,
        promise=promise,
        note=note[:300],
        due_at=due_at or timezone.now(),
    )


# Conversation outcome -> (the suppression it sets, the follow-up it puts in the agents' queue, its note).
# "Already paid" disputes the balance: calls about the loan wait until back office checks the payment.
OUTCOME_EFFECTS: dict[str, tuple[str | None, str | None, str]] = {
    "dispute": (SuppressionKind.DISPUTE, WorkItemKind.DISPUTE, "Disputes the debt."),
    "already_paid": (
        SuppressionKind.DISPUTE,
        WorkItemKind.PAYMENT_CHECK,
        "Says the loan is already paid: check the payment.",
    ),
    "wrong_number": (SuppressionKind.WRONG_NUMBER, None, "The person who answered says this is a wrong number."),
    "stop_calling": (SuppressionKind.STOP_CALLING, None, "Asked the bot to stop calling."),
    "do_not_call": (SuppressionKind.DO_NOT_CALL, None, "Asked never to be called again."),
    "agent_requested": (None, WorkItemKind.AGENT_REQUESTED, "Asked to talk to an agent."),
    "cannot_pay": (None, WorkItemKind.HARDSHIP, "Says they cannot pay: talk about what is possible."),
    "promise_far": (None, WorkItemKind.PROMISE_REVIEW, "Offered to pay, but later than the bot may accept."),
}


@transaction.atomic
def call_outcome_apply(
    *,
    call: Call,
    code: str,
    actor: AbstractBaseUser | None = None,
    note: str = "",
    source: str = SuppressionSource.OUTCOME,
) -> Disposition:
    """Record how the conversation went, and act on it: a suppression, a follow-up, the end of the loan's calls."""
    disposition = Disposition.objects.get(code=code)
    call.disposition = disposition
    call.save(update_fields=["disposition", "keypad", "updated_at"])
    suppression_kind, work_kind, default_note = OUTCOME_EFFECTS.get(code, (None, None, ""))
    if suppression_kind is not None:
        suppression_set_for(
            customer=call.customer,
            kind=suppression_kind,
            loan=call.loan,
            reason=note or default_note,
            source=source,
            actor=actor,
            reference=f"call #{call.pk}",
        )
    if work_kind is not None:
        work_item_create(kind=work_kind, customer=call.customer, loan=call.loan, call=call, note=note or default_note)
    if disposition.is_final:
        _end_loan_calls(call, disposition)
    return disposition


def _end_loan_calls(call: Call, disposition: Disposition) -> int:
    """A final outcome: the calls still scheduled about the loan (or, with none, to the customer) are canceled."""
    scheduled = Call.objects.filter(customer_id=call.customer_id, status=CallStatus.SCHEDULED).exclude(pk=call.pk)
    if call.loan_id is not None:
        scheduled = scheduled.filter(loan_id=call.loan_id)
    reason = f"Call #{call.pk} ended with a final outcome: {disposition.label}."
    ids = list(scheduled.values_list("pk", flat=True))
    return calls_transition_bulk(
        call_ids=ids, to=CallStatus.CANCELED, detail={"final_outcome_of": call.pk}, blocked_reason=reason[:300]
    )
