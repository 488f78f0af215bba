"""The exports calls offers: its calls and its promises to pay (``calls.resources``)."""

from voiceassist.common.exports import exports_register

from .models import Call, PromiseToPay
from .resources import CallExportResource, PromiseExportResource

exports_register(
    "calls",
    label="calls",
    resource=CallExportResource,
    permission="calls.view_call",
    rows=lambda: Call.objects.select_related("customer", "loan", "campaign", "disposition").order_by("id"),
)
exports_register(
    "promises",
    label="promises to pay",
    resource=PromiseExportResource,
    permission="calls.view_promisetopay",
    rows=lambda: PromiseToPay.objects.select_related("customer", "loan").order_by("id"),
)
