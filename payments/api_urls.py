"""The payments API under /api/v1/: payment links, and the gateways' and SMS providers' webhooks."""

from django.urls import path

from voiceassist.common.api import api_by_method

from . import apis

urlpatterns = [
    path(
        "payments/links/",
        api_by_method(get=apis.PaymentLinkListApi, post=apis.PaymentLinkCreateApi),
        name="api-payment-link-list",
    ),
    path("payments/webhooks/<str:gateway>/", apis.payment_webhook, name="api-payments-webhook"),
    path("payments/sms/<str:provider>/status/", apis.sms_status_webhook, name="api-payments-sms-status"),
]
