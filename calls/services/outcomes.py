"""What a call's answer leads to: suppressions and follow-ups for agents (promises have their own
service, ``promises``), and an agent's own call logged with its outcome (``call_outcome_log``).

Every conversation outcome, the bot's or an agent's, goes through ``call_outcome_apply``: it records
the disposition and does what that outcome means (``OUTCOME_EFFECTS``), and a final outcome ends the
calls still scheduled about the loan.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from calls.compliance import Channel, guard_check_customer
from calls.models import Call, CallEventKind, CallStatus, Disposition, DispositionLayer, Provider, WorkItemKind
from customers.models import Customer, Loan, SuppressionKind, SuppressionSource
from customers.suppressions import suppression_set_for
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .dispatch import guard_detail
from .status import call_record_event, calls_transition_bulk
from .work_items import work_item_create

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


@transaction.atomic
def call_outcome_log(
    *, customer: Customer, loan: Loan | None, disposition_code: str, actor: AbstractBaseUser, note: str = ""
) -> Call:
    """An agent's own call, and how the conversation went.

    It counts against the caps like any attempt. What the outcome means (a dispute, a wrong number, a
    do-not-call request…) takes effect at once. A call logged when the guard would have said no is
    kept (it happened) with the guard's words on it, for compliance review.
    """
    try:
        disposition = Disposition.objects.get(code=disposition_code, layer=DispositionLayer.CONVERSATION)
    except Disposition.DoesNotExist as exc:
        raise ApplicationError(
            f"“{disposition_code}” is not a conversation outcome.", code="invalid_disposition"
        ) from exc
    now = timezone.now()
    decision = guard_check_customer(customer=customer, loan_id=loan.pk if loan else None, channel=Channel.AGENT, at=now)
    call = Call.objects.create(
        customer=customer,
        loan=loan,
        phone_dialled=customer.phone,
        provider=Provider.MANUAL,
        status=CallStatus.COMPLETED,
        scheduled_for=now,
        started_at=now,
        answered_at=now,
        ended_at=now,
        transcript=note[:2000],
    )
    if not decision:
        call_record_event(call=call, kind=CallEventKind.GUARD, detail={**guard_detail(decision), "logged_anyway": True})
    call_outcome_apply(call=call, code=disposition.code, actor=actor, note=note, source=SuppressionSource.AGENT)
    audit_event_record(
        actor=actor, action=AuditAction.CALL_OUTCOME_LOGGED, target=call, details={"disposition": disposition.code}
    )
    return call
