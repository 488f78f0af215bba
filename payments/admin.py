"""Payments in the back office: read-only, as the gateways and providers wrote them (back office holds
the payments app's view permissions, like every app of the product's)."""

from django.contrib import admin

from voiceassist.common.admin import ReadOnlyAdmin
from voiceassist.common.money import money_display

from .models import GatewayEvent, PaymentLink, SmsMessage


class SmsMessageInline(admin.TabularInline):
    model = SmsMessage
    fields = ("created_at", "provider", "to", "language", "status", "error", "delivered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentLink)
class PaymentLinkAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "loan", "customer", "amount_shown", "paid_shown", "status", "gateway", "expires_at")
    list_filter = ("status", "gateway", "automatic")
    list_select_related = ("loan", "customer")
    search_fields = ("loan__loan_id", "customer__phone", "customer__full_name", "gateway_link_id")
    date_hierarchy = "created_at"
    inlines = [SmsMessageInline]
    # The link's own fields, its amounts written as money in the link's currency.
    fields = (
        "customer",
        "loan",
        "promise",
        "gateway",
        "gateway_link_id",
        "short_url",
        "amount_shown",
        "paid_shown",
        "status",
        "expires_at",
        "automatic",
        "created_by",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "amount_shown", "paid_shown"]

    @admin.display(description="amount", ordering="amount")
    def amount_shown(self, link: PaymentLink) -> str:
        return money_display(link.amount, currency=link.currency)

    @admin.display(description="paid", ordering="amount_paid")
    def paid_shown(self, link: PaymentLink) -> str:
        return money_display(link.amount_paid, currency=link.currency)


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "to", "customer", "provider", "language", "status", "error")
    list_filter = ("status", "provider", "language")
    list_select_related = ("customer", "link__loan")
    search_fields = ("to", "customer__phone", "link__loan__loan_id", "provider_message_id")
    date_hierarchy = "created_at"


@admin.register(GatewayEvent)
class GatewayEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "gateway", "kind", "event_id")
    list_filter = ("gateway", "kind")
    search_fields = ("event_id", "detail__loan")
    date_hierarchy = "received_at"
