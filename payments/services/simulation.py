"""The simulated gateway and carrier at work: what they post, handed to the services a real gateway's
webhook and a real provider's delivery report reach."""

from django.urls import reverse

from payments.gateways import SimulatedGateway
from payments.models import Gateway, PaymentLink
from payments.sms import SimulatedSms

from .sms import sms_status_receive
from .webhooks import WebhookResult, payment_webhook_receive


def simulated_link_pay(*, gateway_link_id: str) -> list[WebhookResult]:
    """The customer does what the seed says with the link: pays it, pays part, or never opens it."""
    link = PaymentLink.objects.filter(gateway=Gateway.SIMULATED, gateway_link_id=gateway_link_id).first()
    if link is None:
        return []
    deliveries = SimulatedGateway().deliveries_for(gateway_link_id=gateway_link_id, amount=link.amount)
    return [
        payment_webhook_receive(gateway_name=Gateway.SIMULATED, body=delivery.body, headers=delivery.headers)
        for delivery in deliveries
    ]


def simulated_sms_report(*, provider_message_id: str) -> WebhookResult:
    body, headers = SimulatedSms().report(provider_message_id)
    path = reverse("api-payments-sms-status", args=[SimulatedSms.name])
    return sms_status_receive(provider_name=SimulatedSms.name, path=path, body=body, headers=headers)
