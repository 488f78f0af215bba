"""Money in: payment links sent to borrowers, the text messages that carry them, and the gateways' events.

The payment itself is a ``customers.Payment`` (whatever reported it); a link knows how much of it has
been paid through the gateway.
"""

from django.conf import settings
from django.db import models

from calls.models import PromiseToPay
from customers.models import Customer, Loan
from voiceassist.common.models import BaseModel


class Gateway(models.TextChoices):
    SIMULATED = "simulated", "Simulated"
    RAZORPAY = "razorpay", "Razorpay"


class LinkStatus(models.TextChoices):
    CREATED = "created", "Sent, not paid yet"
    PARTLY_PAID = "partly_paid", "Partly paid"
    PAID = "paid", "Paid"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


class PaymentLink(BaseModel):
    """A gateway's payment link for an amount on one loan (usually a promise's)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payment_links")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payment_links")
    promise = models.ForeignKey(
        PromiseToPay, null=True, blank=True, on_delete=models.SET_NULL, related_name="payment_links"
    )
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    gateway_link_id = models.CharField(max_length=64)
    short_url = models.URLField(max_length=300)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="INR")
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    status = models.CharField(max_length=12, choices=LinkStatus.choices, default=LinkStatus.CREATED)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Made by the product when the promise was taken (not asked for by a person): at most one per promise.
    automatic = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "gateway_link_id"], name="paymentlink_unique_gateway_id"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="paymentlink_amount_positive"),
            models.UniqueConstraint(
                fields=["promise"], condition=models.Q(automatic=True), name="paymentlink_one_automatic_per_promise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} link for {self.loan_id} ({self.get_status_display()})"


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Not delivered"
    FAILED = "failed", "Failed"


class SmsMessage(BaseModel):
    """A text message to a customer (a payment link), and what its provider says became of it."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sms_messages")
    link = models.ForeignKey(PaymentLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    provider = models.CharField(max_length=16)
    to = models.CharField(max_length=16)
    language = models.CharField(max_length=8)
    body = models.TextField()
    provider_message_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="smsmessage_unique_provider_id",
            )
        ]

    def __str__(self) -> str:
        return f"SMS to {self.to} ({self.get_status_display()})"


class GatewayEvent(models.Model):
    """A gateway's webhook, kept once by its event id: replays and out-of-order deliveries change nothing."""

    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True, help_text="What was applied (no card or bank details).")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gatewayevent_unique_id")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind} {self.event_id}"
