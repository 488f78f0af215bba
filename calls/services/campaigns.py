"""A campaign's life: draft → running ⇄ paused → completed, along one transitions map.

Starting a campaign schedules one call per borrower of its audience (a call about all their loans the
campaign covers; about the one loan when there is only one) in a single ``INSERT … SELECT``, so a
campaign of a hundred thousand customers starts in one statement, not one query per customer.

Whom it calls is ``audience``'s. A campaign is created by ``campaign_create`` and its settings change through
``campaign_update`` (both audited; whom a started campaign calls stays as it was).
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, Count, F, Min, Value, When
from django.utils import timezone

from calls.models import Call, CallStatus, Campaign, CampaignStatus, MachineMessage, default_retry_policy
from customers.states import state_meanings
from uploads.models import FileUpload
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.services import audit_event_record

from .audience import campaign_audience, campaign_left_out
from .status import calls_transition_bulk

C = CampaignStatus
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    C.DRAFT: frozenset({C.RUNNING, C.COMPLETED}),
    C.RUNNING: frozenset({C.PAUSED, C.COMPLETED}),
    C.PAUSED: frozenset({C.RUNNING, C.COMPLETED}),
    C.COMPLETED: frozenset(),
}


def campaign_provider(campaign: Campaign) -> str:
    return campaign.provider or settings.CALLS_DEFAULT_PROVIDER


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refuse(campaign: Campaign, verb: str) -> ApplicationError:
    return ApplicationError(
        f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}; it cannot be {verb}.",
        code="campaign_state",
    )


def _verb(current: str, to: str) -> str:
    """What moving from ``current`` to ``to`` is called: started, resumed, paused, completed."""
    if to == C.RUNNING:
        return "started" if current == C.DRAFT else "resumed"
    return {C.PAUSED: "paused", C.COMPLETED: "completed"}.get(to, to)


def campaign_transition(
    *, campaign: Campaign, to: str, actor: AbstractBaseUser | None, details: dict | None = None, **fields
) -> Campaign:
    """Move a locked ``campaign`` to ``to`` along the map (else raise), and audit it."""
    verb = _verb(campaign.status, to)
    if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise _refuse(campaign, verb)
    campaign.status = to
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=["status", *fields, "updated_at"])
    audit_event_record(actor=actor, action=AuditAction(f"campaign.{verb}"), target=campaign, details=details)
    return campaign


@transaction.atomic
def campaign_start(*, campaign: Campaign, actor: AbstractBaseUser | None) -> int:
    """Schedule the first call for every loan of the audience and set the campaign running."""
    campaign = _lock(campaign)
    if campaign.status != C.DRAFT:
        raise _refuse(campaign, "started")
    campaign.full_clean()
    scheduled = _schedule_audience(campaign)
    left_out = campaign_left_out(campaign=campaign)
    campaign_transition(
        campaign=campaign,
        to=C.RUNNING,
        actor=actor,
        details={"calls_scheduled": scheduled, "left_out_no_script": left_out},
        started_at=timezone.now(),
        audience_left_out=left_out,
    )
    return scheduled


def _schedule_audience(campaign: Campaign) -> int:
    """One ``INSERT INTO calls … SELECT FROM loans … GROUP BY customer``: the database does the work, not
    Python. A borrower with one loan in the audience gets a call about it; with several, one call about
    all of them (no loan named: the guard counts it against each of their debts)."""
    now = timezone.now()
    rows = (
        campaign_audience(campaign=campaign)
        .values("customer_id", "customer__phone")
        .annotate(
            c_loans=Count("id"),
            c_loan_id=Case(When(c_loans=1, then=Min("id")), default=None, output_field=models.BigIntegerField()),
        )
        .order_by()
        .annotate(
            c_created_at=Value(now, output_field=models.DateTimeField()),
            c_campaign_id=Value(campaign.pk, output_field=models.BigIntegerField()),
            c_attempt=Value(1, output_field=models.IntegerField()),
            c_phone=F("customer__phone"),
            c_provider=Value(campaign_provider(campaign), output_field=models.CharField()),
            c_empty=Value("", output_field=models.CharField()),
            c_status=Value(CallStatus.SCHEDULED, output_field=models.CharField()),
            c_dialogue=Value({}, output_field=models.JSONField()),
        )
        .values_list(
            "c_created_at",
            "c_created_at",
            "c_campaign_id",
            "customer_id",
            "c_loan_id",
            "c_attempt",
            "c_phone",
            "c_provider",
            "c_empty",
            "c_status",
            "c_created_at",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_empty",
            "c_dialogue",
            "c_empty",
        )
    )
    select_sql, params = rows.query.get_compiler(connection=connection).as_sql()
    columns = (
        "created_at, updated_at, campaign_id, customer_id, loan_id, attempt, phone_dialled, provider, "
        "provider_call_id, status, scheduled_for, answered_by, keypad, recording_url, transcript, blocked_reason, "
        "blocked_code, dialogue, price_unit"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {Call._meta.db_table} ({columns}) {select_sql}", params)  # noqa: S608
        return cursor.rowcount


@transaction.atomic
def campaign_pause(*, campaign: Campaign, actor: AbstractBaseUser | None) -> Campaign:
    """Stop dialling: scheduled calls wait; calls already on the line finish."""
    return campaign_transition(campaign=_lock(campaign), to=C.PAUSED, actor=actor)


@transaction.atomic
def campaign_resume(*, campaign: Campaign, actor: AbstractBaseUser | None) -> Campaign:
    campaign = _lock(campaign)
    if campaign.status != C.PAUSED:
        raise _refuse(campaign, "resumed")
    return campaign_transition(campaign=campaign, to=C.RUNNING, actor=actor)


@transaction.atomic
def campaign_complete(*, campaign: Campaign, actor: AbstractBaseUser | None) -> Campaign:
    """End the campaign: calls not yet placed are canceled."""
    campaign = _lock(campaign)
    if campaign.status == C.COMPLETED:
        return campaign
    pending = Call.objects.filter(campaign=campaign, status__in=[CallStatus.SCHEDULED, CallStatus.QUEUED])
    canceled = calls_transition_bulk(
        call_ids=pending.values_list("pk", flat=True),
        to=CallStatus.CANCELED,
        blocked_reason="The campaign was completed.",
    )
    return campaign_transition(
        campaign=campaign, to=C.COMPLETED, actor=actor, details={"canceled": canceled}, completed_at=timezone.now()
    )


# --- Settings: what a campaign is, and what may change once it runs ----------------------------------------

# Whom the campaign calls, and through which provider: fixed once it starts, because its calls were scheduled
# from them and its figures and audit trail describe that audience.
AUDIENCE_FIELDS = (
    "provider",
    "audience_upload",
    "audience_states",
    "audience_due_from",
    "audience_due_to",
    "audience_min_days_past_due",
    "audience_max_days_past_due",
    "call_landlines",
    "phone_countries",
)
# How it calls: may change while it runs or is paused (the next calls follow the new settings).
CALLING_FIELDS = (
    "name",
    "window_start",
    "window_end",
    "max_attempts",
    "retry_policy",
    "lender_name",
    "contact_person",
    "callback_number",
    "transfer_number",
    "record_calls",
    "machine_message",
    "second_check",
)
CAMPAIGN_SETTINGS = AUDIENCE_FIELDS + CALLING_FIELDS
_TRIMMED = ("lender_name", "contact_person", "callback_number", "transfer_number")


def campaign_settings_tidy(values: dict[str, Any], *, phone_countries: list[str]) -> dict[str, Any]:
    """Settings as a campaign keeps them, whoever gives them (the admin, the API): a name without repeated
    spaces, trimmed texts, country codes in capitals, and each audience state by its one name
    (``customers.states``), a code read in the countries the campaign calls (``phone_countries``, the
    campaign's own when ``values`` gives none). A code of two of those countries (``GA``: Goa, Georgia) is
    refused: the name says which."""
    tidy = dict(values)
    if "name" in tidy:
        tidy["name"] = " ".join(str(tidy["name"]).split())
    for name in _TRIMMED:
        if name in tidy:
            tidy[name] = (tidy[name] or "").strip()
    if "phone_countries" in tidy:
        tidy["phone_countries"] = sorted({c.strip().upper() for c in tidy["phone_countries"] or [] if c.strip()})
    if "audience_states" in tidy:
        countries = tidy.get("phone_countries", phone_countries) or settings.CALL_COUNTRIES
        tidy["audience_states"] = _audience_states(tidy["audience_states"] or [], countries=countries)
    return tidy


def _audience_states(given: Iterable[str], *, countries: list[str]) -> list[str]:
    names, ambiguous = set(), []
    for text in given:
        meanings = state_meanings(str(text), countries=countries)
        if len(meanings) > 1:
            ambiguous.append(f"“{text.strip()}” may be {' or '.join(meanings)}: choose it by name.")
        names.update(meanings)
    if ambiguous:
        raise ValidationError({"audience_states": ambiguous})
    return sorted(names)


def _as_json(value: Any) -> Any:
    """A setting's value as the audit trail keeps it."""
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: AbstractBaseUser | None, data: dict[str, Any]) -> Campaign:
    """Change a campaign's settings (``CAMPAIGN_SETTINGS``), checked like a new campaign and audited with what
    changed (``campaign.updated``, ``{field: [old, new]}``); nothing changed, nothing recorded.

    A draft may change anything. Once started, its audience (``AUDIENCE_FIELDS``) stays as it was; how it
    calls may still change while it runs or is paused. A completed campaign is a record: nothing changes.
    A retry policy given for some outcomes keeps the others as they were.
    """
    unknown = sorted(set(data) - set(CAMPAIGN_SETTINGS))
    if unknown:
        raise TypeError(f"Not campaign settings: {', '.join(unknown)}")
    campaign = _lock(campaign)
    values = campaign_settings_tidy(data, phone_countries=campaign.phone_countries)
    if "retry_policy" in values:
        values["retry_policy"] = {**campaign.retry_policy, **(values["retry_policy"] or {})}
    changes = {
        name: [_as_json(getattr(campaign, name)), _as_json(value)]
        for name, value in values.items()
        if _as_json(getattr(campaign, name)) != _as_json(value)
    }
    if not changes:
        return campaign
    frozen = [name for name in changes if name in AUDIENCE_FIELDS]
    if campaign.status == C.COMPLETED or (campaign.status != C.DRAFT and frozen):
        fields = list(changes) if campaign.status == C.COMPLETED else frozen
        what = "nothing about it" if campaign.status == C.COMPLETED else "whom it calls"
        raise ApplicationError(
            f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}: {what} can change "
            f"({', '.join(fields)}).",
            code="campaign_state",
            details={name: ["Cannot change once the campaign has started."] for name in fields},
        )
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save(update_fields=[*changes, "updated_at"])
    audit_event_record(actor=actor, action=AuditAction.CAMPAIGN_UPDATED, target=campaign, details={"changes": changes})
    return campaign


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
