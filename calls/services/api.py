"""Writes the public API needs that no other service covered: creating a campaign, an ad-hoc call request."""

from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from calls.models import Call, Campaign, MachineMessage, default_retry_policy
from customers.models import Customer, Loan
from uploads.models import FileUpload
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .campaigns import campaign_settings_tidy
from .dispatch import call_schedule_adhoc


@transaction.atomic
def campaign_create(
    *,
    name: str,
    actor: AbstractBaseUser | None,
    provider: str = "",
    audience_upload: FileUpload | None = None,
    audience_states: list[str] | None = None,
    audience_due_from: date | None = None,
    audience_due_to: date | None = None,
    audience_min_days_past_due: int | None = None,
    audience_max_days_past_due: int | None = None,
    window_start: time | None = None,
    window_end: time | None = None,
    max_attempts: int | None = None,
    retry_policy: dict[str, Any] | None = None,
    lender_name: str = "",
    contact_person: str = "",
    callback_number: str = "",
    transfer_number: str = "",
    record_calls: bool = False,
    machine_message: str = MachineMessage.NONE,
    second_check: bool = False,
    call_landlines: bool = True,
    phone_countries: list[str] | None = None,
) -> Campaign:
    """A draft campaign, its settings tidied like every campaign's (``campaign_settings_tidy``: audience states
    by their one name), checked by ``Campaign.full_clean`` and audited. The admin's *Add* and the API's create.

    The legal calling window is not checked here: the guard narrows any campaign window to it at call time.
    """
    given: dict[str, Any] = {
        "name": name,
        "provider": provider,
        "audience_upload": audience_upload,
        "audience_states": audience_states or [],
        "audience_due_from": audience_due_from,
        "audience_due_to": audience_due_to,
        "audience_min_days_past_due": audience_min_days_past_due,
        "audience_max_days_past_due": audience_max_days_past_due,
        "retry_policy": {**default_retry_policy(), **(retry_policy or {})},
        "lender_name": lender_name,
        "contact_person": contact_person,
        "callback_number": callback_number,
        "transfer_number": transfer_number,
        "record_calls": record_calls,
        "machine_message": machine_message,
        "second_check": second_check,
        "call_landlines": call_landlines,
        "phone_countries": phone_countries or [],
    }
    values = campaign_settings_tidy(given, phone_countries=[])
    for field, value in {"window_start": window_start, "window_end": window_end, "max_attempts": max_attempts}.items():
        if value is not None:
            values[field] = value
    campaign = Campaign(**values, created_by=actor if actor is not None and actor.is_authenticated else None)
    campaign.full_clean()
    campaign.save()
    audit_event_record(actor=actor, action=AuditAction.CAMPAIGN_CREATED, target=campaign)
    return campaign


@transaction.atomic
def call_request_adhoc(
    *, customer: Customer, loan: Loan | None, at: datetime | None, actor: AbstractBaseUser | None
) -> Call:
    """One call outside any campaign, through ``call_schedule_adhoc`` (the guard may refuse), audited."""
    if loan is not None and loan.customer_id != customer.pk:
        raise ApplicationError(
            f"Loan {loan.loan_id} belongs to another customer.",
            code="loan_other_customer",
            details={"loan": [f"Loan {loan.loan_id} belongs to another customer."]},
        )
    call = call_schedule_adhoc(customer=customer, loan=loan, at=at)
    audit_event_record(
        actor=actor,
        action="call.adhoc_scheduled",
        target=call,
        details={"scheduled_for": call.scheduled_for.isoformat()},
    )
    return call
