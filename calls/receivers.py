"""What calls does when customers' services announce a change: cancel the calls left with nothing to be
about (the guard decides which calls are hopeless), cancel at once the calls a new suppression forbids,
and judge a loan's open promise when money arrives."""

from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from customers.models import STOPS_EVERY_CALL, Loan, Suppression, SuppressionKind
from customers.signals import loans_settled, payment_recorded, suppression_set

from .compliance import Reason
from .models import Call, CallStatus
from .services.dispatch import calls_cancel_hopeless
from .services.promises import promise_payment_arrived
from .services.status import calls_transition_bulk

# Suppressions that end the bot's calls until back office lifts them (a wrong number: its calls to that
# number), and the guard's reason for each.
_CANCELS_BOT_CALLS = {
    **dict.fromkeys(STOPS_EVERY_CALL, Reason.DO_NOT_CALL),
    SuppressionKind.STOP_CALLING: Reason.STOP_CALLING,
    SuppressionKind.DISPUTE: Reason.DISPUTE,
    SuppressionKind.WRONG_NUMBER: Reason.WRONG_NUMBER,
}


@receiver(loans_settled)
def cancel_calls_of_settled_loans(sender, *, loan_ids: list[str], **kwargs) -> None:
    customer_ids = set(Loan.objects.filter(loan_id__in=loan_ids).values_list("customer_id", flat=True))
    calls_cancel_hopeless(customer_ids=customer_ids)


@receiver(suppression_set)
def cancel_calls_a_suppression_forbids(sender, *, suppression: Suppression, **kwargs) -> None:
    calls_cancel_suppressed(suppression=suppression)
    calls_cancel_hopeless(customer_ids={suppression.customer_id})


@receiver(payment_recorded)
def judge_the_promise_a_payment_may_keep(sender, *, payment, **kwargs) -> None:
    promise_payment_arrived(loan_id=payment.loan_id)


def calls_cancel_suppressed(*, suppression: Suppression) -> int:
    """Cancel the customer's calls not yet dialled (scheduled or queued) that ``suppression`` forbids, at once
    and with its reason: a do-not-call customer's scheduled call is gone from every page as soon as it is set,
    not at the dispatcher's next tick. A suppression on one loan cancels the calls about that loan and those
    about all of the customer's loans; a wrong number, the calls to that number. Returns how many were canceled.

    The calls are locked before they are judged: a worker that is dialling one right now finishes first, and
    a call it dialled is no longer ours to cancel (the guard it asked at that instant had its say).
    """
    code = _CANCELS_BOT_CALLS.get(suppression.kind)
    if code is None:
        return 0
    calls = Call.objects.filter(
        customer_id=suppression.customer_id, status__in=(CallStatus.SCHEDULED, CallStatus.QUEUED)
    )
    if suppression.loan_id is not None:
        calls = calls.filter(Q(loan_id=suppression.loan_id) | Q(loan__isnull=True))
    if suppression.phone:
        calls = calls.filter(phone_dialled=suppression.phone)
    reason = f"Calls stopped: {suppression}"[:300]
    with transaction.atomic():
        ids = list(calls.select_for_update(of=("self",)).values_list("pk", flat=True))
        return calls_transition_bulk(
            call_ids=ids,
            to=CallStatus.CANCELED,
            detail={"code": code, "reason": reason, "suppression": suppression.pk},
            blocked_code=code,
            blocked_reason=reason,
        )
