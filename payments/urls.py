from django.urls import path

from . import apis

urlpatterns = [
    path("links/", apis.PaymentLinkListCreateApi.as_view(), name="api-payment-link-list"),
    path("webhooks/<str:gateway>/", apis.payment_webhook, name="api-payments-webhook"),
    path("sms/<str:provider>/status/", apis.sms_status_webhook, name="api-payments-sms-status"),
]
