"""Text messages that carry payment links: written in the customer's language, handed to the provider,
recorded with what became of them. Delivery reports only move a message forward.

English and Hindi texts; a customer who prefers another language gets the English text. English
stays in the GSM alphabet ("Rs.", not the rupee sign): one 160-character part, not a 70-character one.
"""

import logging
from collections.abc import Mapping
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, PhoneType
from customers.phones import phone_kind
from payments.models import LinkStatus, PaymentLink, SmsMessage, SmsStatus
from payments.sms import SmsProviderError, SmsRejected, SmsRequest, SmsStatusNotice, sms_provider_get
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditAction
from voiceassist.common.money import indian_grouping
from voiceassist.common.services import audit_event_record

from .webhooks import WebhookResult, headers_lower, link_amount_due

logger = logging.getLogger(__name__)

SMS_LANGUAGES = ("en", "hi")
HINDI_MONTHS = (
    "जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर",
)  # fmt: skip
# How far along a message is: a report may only move it to a later step; the last step is final.
SMS_STEP: dict[str, int] = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENT: 1,
    SmsStatus.DELIVERED: 2,
    SmsStatus.UNDELIVERED: 2,
    SmsStatus.FAILED: 2,
}
MESSAGE_QUERY_PARAMETER = "message"


def sms_is_ahead(new: str, current: str) -> bool:
    return new in SMS_STEP and SMS_STEP[new] > SMS_STEP.get(current, 0)


def _date_text(day: date, language: str) -> str:
    if language == "hi":
        return f"{day.day} {HINDI_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {day:%b %Y}"


def sms_text(*, link: PaymentLink) -> tuple[str, str]:
    """The language used and the text: the amount still due on the link, the promised date if the link
    is a promise's, the short URL."""
    language = link.customer.preferred_language if link.customer.preferred_language in SMS_LANGUAGES else "en"
    amount = indian_grouping(link_amount_due(link))
    lender, loan, url = settings.VOICE_LENDER_NAME, link.loan.loan_id, link.short_url
    promised = link.promise.promised_date if link.promise_id else None
    if language == "hi":
        when = f" {_date_text(promised, 'hi')} तक" if promised else ""
        opening = "आपके वादे के अनुसार कृपया" if promised else "कृपया"
        return language, f"{lender}: {opening} ऋण {loan} के ₹{amount}{when} चुकाएँ। सुरक्षित भुगतान: {url}"
    when = f" by {_date_text(promised, 'en')}" if promised else ""
    opening = "As promised, please pay" if promised else "Please pay"
    return language, f"{lender}: {opening} Rs. {amount} on loan {loan}{when}. Pay securely: {url}"


def _mobile_number(customer: Customer) -> str:
    """The customer's first number that can take a text (primary, then the others), or "": a mobile, or a number
    that may be one (``phone_kind``, the rule the customer's own phone type comes from)."""
    for phone in [customer.phone, *(customer.alternate_phones or [])]:
        if phone_kind(str(phone)).type in (PhoneType.MOBILE, PhoneType.MOBILE_OR_LANDLINE):
            return str(phone)
    return ""


def link_closed_reason(link: PaymentLink) -> str:
    """Why the link cannot be sent again, or "" when it can."""
    if link.status == LinkStatus.PAID:
        return "This link has been paid in full: there is nothing to send."
    if link.status == LinkStatus.CANCELLED:
        return "This link was cancelled: create a new link for the customer."
    if link.status == LinkStatus.EXPIRED or (link.expires_at and link.expires_at <= timezone.now()):
        return "This link has expired: create a new link for the customer."
    return ""


def _status_callback_url(provider_name: str, message: SmsMessage) -> str:
    path = reverse("api-payments-sms-status", args=[provider_name])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}?{MESSAGE_QUERY_PARAMETER}={message.pk}"


def _sms_failed(message: SmsMessage, error: str, actor: AbstractBaseUser | None) -> SmsMessage:
    with transaction.atomic():
        message.status, message.error = SmsStatus.FAILED, error[:300]
        message.save(update_fields=["status", "error", "updated_at"])
        audit_event_record(
            actor=actor,
            action=AuditAction.PAYMENT_LINK_SMS_FAILED,
            target=message.link,
            details={"message": message.pk, "provider": message.provider, "error": message.error},
        )
    return message


def sms_send_link(*, link: PaymentLink, actor: AbstractBaseUser | None = None) -> SmsMessage:
    """Text the link to the customer. A closed link is refused (``link_closed``); a customer with no
    mobile number, or a provider that refuses, leaves a ``failed`` message saying why."""
    link = PaymentLink.objects.select_related("customer", "loan", "promise").get(pk=link.pk)
    reason = link_closed_reason(link)
    if reason:
        raise ApplicationError(reason, code="link_closed", details={"link": link.pk, "status": link.status})
    language, body = sms_text(link=link)
    provider = sms_provider_get(settings.SMS_PROVIDER)
    to = _mobile_number(link.customer)
    message = SmsMessage.objects.create(
        customer=link.customer,
        link=link,
        provider=provider.name,
        to=to or link.customer.phone[:16],
        language=language,
        body=body,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if not to:
        return _sms_failed(message, "The customer has no mobile number to text: add one on the customer.", actor)
    try:
        sent = provider.send(
            SmsRequest(to=to, body=body, status_callback_url=_status_callback_url(provider.name, message))
        )
    except SmsProviderError as exc:
        logger.warning("SMS %s not sent by %s: %s", message.pk, provider.name, exc)
        return _sms_failed(message, str(exc), actor)
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().get(pk=message.pk)
        message.provider_message_id, message.sent_at = sent.provider_message_id, timezone.now()
        if sms_is_ahead(sent.status, message.status):
            message.status = sent.status
        message.save(update_fields=["provider_message_id", "sent_at", "status", "updated_at"])
        audit_event_record(
            actor=actor,
            action=AuditAction.PAYMENT_LINK_SMS_SENT,
            target=link,
            details={"message": message.pk, "provider": provider.name, "language": language},
        )
        transaction.on_commit(lambda: provider.message_queued(sent.provider_message_id))
    return message


def sms_status_receive(*, provider_name: str, path: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """A delivery report, real or simulated: ``path`` is the URL path with its query, as called."""
    provider = sms_provider_get(provider_name)
    headers = headers_lower(headers)
    if not provider.verify_callback(path=path, body=body, headers=headers):
        return WebhookResult.FORBIDDEN
    try:
        notice = provider.parse_callback(body, headers)
    except SmsRejected:
        return WebhookResult.UNREADABLE
    ours = dict(parse_qsl(urlsplit(path).query)).get(MESSAGE_QUERY_PARAMETER, "")
    return sms_status_apply(
        provider_name=provider_name, notice=notice, message_id=int(ours) if ours.isdigit() else None
    )


@transaction.atomic
def sms_status_apply(*, provider_name: str, notice: SmsStatusNotice, message_id: int | None = None) -> WebhookResult:
    messages = SmsMessage.objects.select_for_update()
    message = messages.filter(provider=provider_name, provider_message_id=notice.provider_message_id).first()
    if message is None and message_id is not None:
        # Our id (in the callback URL) finds only a message the provider has not named to us yet (its
        # report overtook our commit); one it named is matched by that name.
        candidate = messages.filter(provider=provider_name, pk=message_id, provider_message_id="").first()
        if candidate is not None:
            message = candidate
            message.provider_message_id = notice.provider_message_id
    if message is None or not sms_is_ahead(notice.status, message.status):
        return WebhookResult.IGNORED
    message.status = notice.status
    now = timezone.now()
    if notice.status == SmsStatus.DELIVERED:
        message.delivered_at = now
    if message.sent_at is None and notice.status != SmsStatus.FAILED:
        message.sent_at = now
    if notice.status in (SmsStatus.UNDELIVERED, SmsStatus.FAILED):
        message.error = (notice.error or "The provider could not deliver the message.")[:300]
    message.save()
    return WebhookResult.APPLIED
