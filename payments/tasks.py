"""Thin tasks: a promise's payment link, and the simulated gateway and carrier reporting back."""

from celery import shared_task

from payments.services import GatewayUnavailable, promise_link_send, simulated_link_pay, simulated_sms_report


@shared_task(
    name="payments.promise_link",
    acks_late=True,
    autoretry_for=(GatewayUnavailable,),
    retry_backoff=60,
    max_retries=3,
)
def promise_link_task(promise_id: int) -> None:
    """Idempotent: a promise that already has its link gets nothing new. A gateway that cannot be reached
    is asked again later."""
    promise_link_send(promise_id=promise_id)


@shared_task(name="payments.simulated_link_pay", acks_late=True)
def simulated_link_pay_task(gateway_link_id: str) -> None:
    simulated_link_pay(gateway_link_id=gateway_link_id)


@shared_task(name="payments.simulated_sms_report", acks_late=True)
def simulated_sms_report_task(provider_message_id: str) -> None:
    simulated_sms_report(provider_message_id=provider_message_id)
