"""The agents' forms: they check the shape of what was typed; the services decide the rest."""

from decimal import Decimal

from django import forms

from customers.models import Customer, SuppressionKind
from voiceassist.common.money import SYMBOLS, currency_for

from .selectors import conversation_dispositions

LOAN_EMPTY_LABEL = "No particular loan"
# Dates are typed day first (31/12/2026, 31 Dec 2026) or as the browser's pickers send them (2026-12-31,
# 2026-12-31T10:00): the project's formats (``voiceassist/formats/en_IN``), every form's by default.


class ServiceErrorForm(forms.Form):
    """A form that can also show a service's ``ApplicationError`` next to the field it is about."""

    # ApplicationError.code -> field name; codes not listed are shown above the form.
    service_error_fields: dict[str, str] = {}

    def add_service_error(self, error) -> None:
        self.add_error(self.service_error_fields.get(error.code), error.message)


class CustomerForm(ServiceErrorForm):
    """A form about one customer: ``title`` heads it, and names it in the page's summary of errors; ``anchor``
    is its element's id on the page."""

    title = ""
    anchor = ""

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer


class CustomerLoanForm(CustomerForm):
    """A form about one customer whose ``loan`` field offers that customer's loans only."""

    loan_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loan"] = forms.ModelChoiceField(
            queryset=self.customer.loans.order_by("due_date", "id"),
            required=self.loan_required,
            empty_label=None if self.loan_required else LOAN_EMPTY_LABEL,
            label="Loan",
        )
        self.order_fields(["loan", *[name for name in self.fields if name != "loan"]])


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Phone, name or loan id",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "98765 43210, Sharma or LN0001234"}),
    )


class CallOutcomeForm(CustomerLoanForm):
    prefix = "outcome"
    title = "Log a call outcome"
    anchor = "outcome"
    service_error_fields = {"invalid_disposition": "disposition"}

    disposition = forms.ChoiceField(label="How did the call go?")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was said. For a do-not-call request, the reason.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disposition"].choices = [("", "Choose an outcome")] + [
            (disposition.code, disposition.label) for disposition in conversation_dispositions()
        ]


class PromiseForm(CustomerLoanForm):
    prefix = "promise"
    title = "Record a promise to pay"
    anchor = "promise"
    loan_required = True
    service_error_fields = {
        "invalid_amount": "amount",
        "amount_above_outstanding": "amount",
        "invalid_date": "promised_date",
        "beyond_horizon": "promised_date",
    }

    amount = forms.DecimalField(
        label="Amount promised",  # and the currency's symbol, set per customer
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Empty: the instalment due (or all that is owed).",
    )
    promised_date = forms.DateField(label="Will pay by", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Amount promised ({SYMBOLS[currency_for(customer=self.customer)]})"


class CallbackForm(CustomerLoanForm):
    prefix = "callback"
    title = "Schedule a callback"
    anchor = "callback"
    service_error_fields = {"invalid_time": "at", "outside_hours": "at", "do_not_call": "at"}

    at = forms.DateTimeField(
        label="Call back at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Your local time; the customer's own calling hours apply.",
    )
    note = forms.CharField(label="Note", required=False, max_length=300)


class SuppressionForm(CustomerLoanForm):
    """Stop calls: the kinds an agent hears on a call. Back office adds deceased, bankruptcy and attorney."""

    prefix = "suppress"
    title = "Stop calls"
    anchor = "stop-calls"
    service_error_fields = {"reason_required": "reason", "invalid_kind": "kind", "back_office_only": "kind"}
    AGENT_KINDS = (
        SuppressionKind.DISPUTE,
        SuppressionKind.STOP_CALLING,
        SuppressionKind.WRONG_NUMBER,
        SuppressionKind.DO_NOT_CALL,
    )

    kind = forms.ChoiceField(label="Why")
    reason = forms.CharField(label="What was said", max_length=300, widget=forms.TextInput())

    def __init__(self, *args, back_office: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = SuppressionKind if back_office else self.AGENT_KINDS
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        self.fields["loan"].help_text = "For a dispute: the loan disputed (none: all of them)."
        self.order_fields(["kind", "loan", "reason"])


class WorkItemDoneForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=300)
