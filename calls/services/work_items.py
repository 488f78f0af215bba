"""The agents' queue: follow-ups are created (by outcomes, promises, the voice bot), claimed, completed, and
callbacks scheduled at a time the guard allows."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from calls.compliance import Channel, Reason, guard_check_customer
from calls.models import Call, DispositionLayer, PromiseToPay, WorkItem, WorkItemKind
from customers.models import Customer, Loan
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record


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


@transaction.atomic
def work_item_claim(*, item: WorkItem, agent: AbstractBaseUser) -> WorkItem:
    """Take a follow-up so no other agent works it too (audited). Claiming one's own item again is harmless
    and records nothing."""
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    if item.done_at is not None:
        raise ApplicationError("This follow-up is already done.", code="work_item_done")
    if item.claimed_by_id and item.claimed_by_id != agent.pk:
        raise ApplicationError(
            f"{item.claimed_by.get_full_name() or item.claimed_by} already took this one.", code="work_item_claimed"
        )
    if item.claimed_by_id is None:
        item.claimed_by = agent
        item.claimed_at = timezone.now()
        item.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        audit_event_record(actor=agent, action=AuditAction.WORK_ITEM_CLAIMED, target=item, details={"kind": item.kind})
    return item


def _callback_closed_early_check(*, item: WorkItem, note: str, now) -> None:
    """A callback closed before its time needs its outcome: a note saying what happened, or a call outcome
    logged for the customer since it was scheduled. Otherwise the promised call would silently never happen."""
    if item.kind != WorkItemKind.CALLBACK or item.due_at <= now or note.strip():
        return
    reached = Call.objects.filter(
        customer_id=item.customer_id, disposition__layer=DispositionLayer.CONVERSATION, started_at__gte=item.created_at
    ).exists()
    if not reached:
        when = timezone.localtime(item.due_at)
        raise ApplicationError(
            f"This callback is due {when:%-d %b %Y at %H:%M}. To close it before then, write what happened "
            "in the note, or log the call's outcome on the customer's page first.",
            code="callback_not_due",
            details={"due_at": item.due_at.isoformat()},
        )


@transaction.atomic
def work_item_complete(*, item: WorkItem, agent: AbstractBaseUser, note: str = "") -> WorkItem:
    """Mark a follow-up done, claiming it first if nobody has (both audited). A callback not yet due is
    closed only with its outcome."""
    item = work_item_claim(item=item, agent=agent)
    _callback_closed_early_check(item=item, note=note, now=timezone.now())
    item.done_at = timezone.now()
    if note:
        item.note = note[:300]
    item.save(update_fields=["done_at", "note", "updated_at"])
    audit_event_record(
        actor=agent,
        action=AuditAction.WORK_ITEM_COMPLETED,
        target=item,
        details={"kind": item.kind, "note": note[:300]},
    )
    return item


# Refusals that a callback at a chosen time cannot live with: only a person could lift them, or the
# hour is wrong for the customer. (Caps and promises are judged again when the call is made.)
_CALLBACK_REFUSALS = (Reason.OUTSIDE_HOURS,)


@transaction.atomic
def callback_schedule(
    *, customer: Customer, loan: Loan | None, at: datetime, actor: AbstractBaseUser, note: str = ""
) -> WorkItem:
    """A callback at ``at``: refused, with the guard's reason, when no call would be allowed then."""
    if at < timezone.now():
        raise ApplicationError("The callback time is in the past.", code="invalid_time")
    decision = guard_check_customer(customer=customer, loan_id=loan.pk if loan else None, channel=Channel.AGENT, at=at)
    if not decision and (decision.next_allowed_at is None or decision.code in _CALLBACK_REFUSALS):
        when = decision.next_allowed_at
        hint = f" The first allowed time is {when:%-d %b %Y, %H:%M} ({when.tzinfo})." if when else ""
        raise ApplicationError(decision.message + hint, code=decision.code)
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=customer, loan=loan, note=note, due_at=at)
    audit_event_record(actor=actor, action=AuditAction.CALLBACK_SCHEDULED, target=item, details={"at": at.isoformat()})
    return item
