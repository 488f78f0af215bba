"""What agents do by hand: claim follow-ups, log the outcome of their own calls, schedule callbacks."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallStatus, Disposition, DispositionLayer, Provider, WorkItem, WorkItemKind
from customers.models import Customer, Loan
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.services import audit_event_record

from .guard import compliance_check
from .outcomes import work_item_create


@transaction.atomic
def work_item_claim(*, item: WorkItem, agent: AbstractBaseUser) -> WorkItem:
    """Take a follow-up so no other agent works it too. Claiming one's own item again is harmless."""
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
    return item


@transaction.atomic
def work_item_complete(*, item: WorkItem, agent: AbstractBaseUser, note: str = "") -> WorkItem:
    item = work_item_claim(item=item, agent=agent)
    item.done_at = timezone.now()
    if note:
        item.note = note[:300]
    item.save(update_fields=["done_at", "note", "updated_at"])
    return item


@transaction.atomic
def call_outcome_log(
    *, customer: Customer, loan: Loan | None, disposition_code: str, actor: AbstractBaseUser, note: str = ""
) -> Call:
    """An agent's own call, and how the conversation went. A do-not-call request takes effect at once."""
    try:
        disposition = Disposition.objects.get(code=disposition_code, layer=DispositionLayer.CONVERSATION)
    except Disposition.DoesNotExist as exc:
        raise ApplicationError(
            f"“{disposition_code}” is not a conversation outcome.", code="invalid_disposition"
        ) from exc
    now = timezone.now()
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
        disposition=disposition,
        transcript=note[:2000],
    )
    if disposition.code == "dispute":
        work_item_create(kind=WorkItemKind.DISPUTE, customer=customer, loan=loan, call=call, note=note)
    if disposition.code == "do_not_call":
        from customers.services import customer_mark_do_not_call

        customer_mark_do_not_call(customer=customer, reason=note or "Asked on a call with an agent.", actor=actor)
    audit_event_record(
        actor=actor, action="call.outcome_logged", target=call, details={"disposition": disposition.code}
    )
    return call


@transaction.atomic
def callback_schedule(
    *, customer: Customer, loan: Loan | None, at: datetime, actor: AbstractBaseUser, note: str = ""
) -> WorkItem:
    """A callback at ``at``: refused, with the guard's reason, when no call would be allowed then."""
    if at < timezone.now():
        raise ApplicationError("The callback time is in the past.", code="invalid_time")
    decision = compliance_check(customer=customer, at=at)
    if not decision and decision.code in ("do_not_call", "outside_window"):
        raise ApplicationError(decision.reason, code=decision.code)
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=customer, loan=loan, note=note, due_at=at)
    audit_event_record(actor=actor, action="callback.scheduled", target=item, details={"at": at.isoformat()})
    return item
