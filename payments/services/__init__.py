"""Payments' writes: links, their text messages, gateway events, the simulated gateway and carrier."""

from .links import GatewayUnavailable, payment_link_create, promise_link_send
from .simulation import simulated_link_pay, simulated_sms_report
from .sms import link_closed_reason, sms_send_link, sms_status_apply, sms_status_receive, sms_text
from .webhooks import WebhookResult, link_amount_due, payment_notice_apply, payment_webhook_receive

__all__ = [
    "GatewayUnavailable",
    "WebhookResult",
    "link_amount_due",
    "link_closed_reason",
    "payment_link_create",
    "payment_notice_apply",
    "payment_webhook_receive",
    "promise_link_send",
    "simulated_link_pay",
    "simulated_sms_report",
    "sms_send_link",
    "sms_status_apply",
    "sms_status_receive",
    "sms_text",
]
