"""The exports customers offers: its customers, one row each with their loans (``customers.resources``)."""

from voiceassist.common.exports import exports_register

from .models import Customer
from .resources import CustomerExportResource

exports_register(
    "customers",
    label="customers",
    resource=CustomerExportResource,
    permission="customers.view_customer",
    rows=lambda: Customer.objects.with_do_not_call().prefetch_related("loans").order_by("id"),
)
