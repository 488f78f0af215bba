"""The payments API under /api/v1/: payment links, and the gateways' and SMS providers' webhooks."""

from django.urls import path

from . import apis

urlpatterns = [
    path("payments/links/", apis.PaymentLinkListCreateApi.as_view(), name="api-payment-link-list"),
    path("payments/webhooks/<str:gateway>/", apis.payment_webhook, name="api-payments-webhook"),
    path("payments/sms/<str:provider>/status/", apis.sms_status_webhook, name="api-payments-sms-status"),
]
