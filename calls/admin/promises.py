"""Promises to pay in the back office: taken through the promise service, then only read, amounts in the
customer's currency."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from exports.actions import export_actions
from voiceassist.common.admin import admin_clipped
from voiceassist.common.money import money_display

from ..models import PromiseToPay
from ..services.promises import PROMISE_MAX_GRACE_DAYS, promise_create, promise_default_amount, promise_problem


class PromiseAdminForm(forms.ModelForm):
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="Empty: the instalment due, else all owed."
    )
    grace_days = forms.IntegerField(
        min_value=0, max_value=PROMISE_MAX_GRACE_DAYS, required=False, help_text="Empty: the default."
    )

    class Meta:
        model = PromiseToPay
        fields = ("loan", "amount", "promised_date", "grace_days")

    def clean(self):
        data = super().clean()
        loan, promised_date = data.get("loan"), data.get("promised_date")
        if loan is not None and promised_date is not None:
            amount = data.get("amount")
            problem = promise_problem(
                amount=amount if amount is not None else promise_default_amount(loan),
                promised_date=promised_date,
                outstanding=loan.outstanding_amount,
                today=timezone.localdate(),
                grace_days=data.get("grace_days"),
            )
            if problem is not None:
                self.add_error(problem.field, problem.message)
        return data


@admin.register(PromiseToPay)
class PromiseToPayAdmin(admin.ModelAdmin):
    """Promises are taken through the promise service (its rules, the replacing of an open promise, the
    audit and the payment link) and then only read: what became of one is the payments' to say."""

    form = PromiseAdminForm
    list_display = ("who", "loan", "promised", "promised_date", "promise_status", "paid")
    list_filter = ("status",)
    list_select_related = ("customer", "loan")
    search_fields = ("customer__full_name", "customer__phone", "loan__loan_id")
    raw_id_fields = ("loan",)
    actions = export_actions("promises")

    @admin.display(description="Customer", ordering="customer__full_name")
    def who(self, promise: PromiseToPay) -> str:
        return admin_clipped(promise.customer.full_name, title=promise.customer)

    @admin.display(description="Status", ordering="status")
    def promise_status(self, promise: PromiseToPay) -> str:
        return admin_clipped(promise.get_status_display(), width="short")

    @admin.display(description="Amount", ordering="amount")
    def promised(self, promise: PromiseToPay) -> str:
        return money_display(promise.amount, customer=promise.customer)

    @admin.display(description="Paid amount", ordering="paid_amount")
    def paid(self, promise: PromiseToPay) -> str:
        return money_display(promise.paid_amount, customer=promise.customer)

    @admin.display(description="Outstanding at promise")
    def outstanding_then(self, promise: PromiseToPay) -> str:
        return money_display(promise.outstanding_at_promise, customer=promise.customer)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("loan", "amount", "promised_date", "grace_days")
        # A saved promise is only read, its amounts written in the customer's currency.
        return (
            "customer",
            "loan",
            "promised",
            "promised_date",
            "grace_days",
            "status",
            "paid",
            "outstanding_then",
            "source_call",
            "replaced_by",
            "created_by",
            "resolved_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        promise = promise_create(
            loan=data["loan"],
            amount=data.get("amount"),
            promised_date=data["promised_date"],
            grace_days=data.get("grace_days"),
            actor=request.user,
        )
        obj.pk = promise.pk
        obj.__dict__.update(promise.__dict__)
