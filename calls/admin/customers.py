"""The customers' admin page, extended with the compliance guard's answer for each of the customer's loans.
The customers app cannot ask the guard (it lives above it), so the calls app replaces the customers' admin
with a subclass of the one the uploads app made (which adds the customer's upload timeline)."""

from django.contrib import admin
from django.utils.html import format_html_join

from customers.models import Customer
from uploads.admin import CustomerAdmin as BaseCustomerAdmin

from ..compliance import guard_explain
from .guard import decision_html

admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerAdmin(BaseCustomerAdmin):
    readonly_fields = ("why_not_now", *BaseCustomerAdmin.readonly_fields)

    @admin.display(description="Why not now? (the bot, now)")
    def why_not_now(self, customer: Customer) -> str:
        if not customer.pk:
            return "—"
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            ((what, decision_html(decision)) for what, decision in guard_explain(customer=customer)),
        )
