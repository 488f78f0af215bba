"""The one declaration of the customer file's columns, and of the customers export's.

``CustomerFileResource`` declares one django-import-export field per canonical column (``customers.headers``
names the columns and matches a file's headers to them); its widgets (``customers.widgets``) turn a raw cell
into a Python value or raise ``ValueError`` with a message that names the value, for a clerk to fix.
``resource_clean_row`` cleans one row. A million-row file goes through ``resource_clean_row`` a million times,
so the per-row path calls the widgets directly.
"""

from collections.abc import Callable, Sequence

from import_export import resources
from import_export.fields import Field

from customers.headers import HEADER_ALIASES, REQUIRED_COLUMNS
from customers.models import Customer
from customers.national_ids import national_id_redact
from customers.widgets import (
    AmountWidget,
    DayFirstDateWidget,
    DaysWidget,
    EmailWidget,
    IdentifierWidget,
    LanguageWidget,
    NationalIdWidget,
    PhoneListWidget,
    PhoneWidget,
    TextWidget,
)
from voiceassist.common.exceptions import ApplicationError


class CustomerFileResource(resources.Resource):
    """The customer file's columns: canonical name, model attribute and how a cell is read.

    ``Customer`` and ``Loan`` attributes are mixed on purpose: one row of the file is one loan of one customer.
    """

    name = Field(attribute="full_name", column_name="name", widget=TextWidget(max_length=200, label="name"))
    phone = Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    alternate_phone = Field(attribute="alternate_phones", column_name="alternate_phone", widget=PhoneListWidget())
    loan_id = Field(attribute="loan_id", column_name="loan_id", widget=IdentifierWidget(max_length=64, label="loan id"))
    amount = Field(attribute="outstanding_amount", column_name="amount", widget=AmountWidget())
    amount_due = Field(attribute="amount_due", column_name="amount_due", widget=AmountWidget())
    principal = Field(attribute="principal_amount", column_name="principal", widget=AmountWidget())
    due_date = Field(attribute="due_date", column_name="due_date", widget=DayFirstDateWidget())
    days_past_due = Field(attribute="days_past_due", column_name="days_past_due", widget=DaysWidget())
    state = Field(attribute="state", column_name="state", widget=TextWidget(max_length=64, label="state"))
    language = Field(attribute="preferred_language", column_name="language", widget=LanguageWidget())
    # Not a model attribute: the service keeps only a fingerprint of it.
    national_id = Field(
        attribute="national_id",
        column_name="national_id",
        widget=NationalIdWidget(max_length=64, label="national id"),
    )
    email = Field(attribute="email", column_name="email", widget=EmailWidget())
    # Not loan attributes: the pipeline records them as a ``Payment`` on the row's loan.
    payment_reference = Field(
        attribute="payment_reference",
        column_name="payment_reference",
        widget=IdentifierWidget(max_length=100, label="payment reference"),
    )
    payment_amount = Field(attribute="payment_amount", column_name="payment_amount", widget=AmountWidget())
    payment_date = Field(attribute="payment_date", column_name="payment_date", widget=DayFirstDateWidget())


_RESOURCE = CustomerFileResource()
# Field.clean adds a dict look-up and default handling (no field here has a default) around the widget;
# calling the widgets directly keeps a million-row file fast.
_CLEANERS: dict[str, Callable[[object], object]] = {
    column: resource_field.widget.clean for column, resource_field in _RESOURCE.fields.items()
}
# ``name`` may be blank in a row that updates a known customer: the pipeline decides, not this module.
_REQUIRED_IN_EVERY_ROW = tuple(column for column in REQUIRED_COLUMNS if column != "name")


def _alias_examples(column: str, *, limit: int = 8) -> str:
    """The first aliases of ``column``, for a message (the full lists run to dozens)."""
    aliases = HEADER_ALIASES[column]
    return ", ".join(aliases[:limit]) + (", …" if len(aliases) > limit else "")


class MissingColumns(ApplicationError):
    """A required column is not in the file; the message lists the headers found and the names to use."""

    code = "missing_columns"

    def __init__(self, message: str | None = None, *, missing: Sequence[str] = (), found: Sequence[str] = ()):
        # ``message`` alone re-creates the error (as unpickling does); the pipeline passes missing and found.
        found_headers = [header for header in found if header and header.strip()]
        if message is None:
            found_text = ", ".join(found_headers) if found_headers else "none"
            if len(missing) == 1:
                rename = f"Rename a column to one of: {_alias_examples(missing[0])}."
            else:
                rename = "Rename columns so that the file has " + "; ".join(
                    f"{column} (one of: {_alias_examples(column)})" for column in missing
                )
                rename += "."
            message = f"The file has no column for: {', '.join(missing)}. Columns found: {found_text}. {rename}"
        super().__init__(message, details={"missing": list(missing), "found": found_headers})


def resource_clean_row(values: dict[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """Clean one row (canonical column -> raw cell) into ``(cleaned, errors)``; never raises for a bad cell.

    A column is in ``cleaned`` or in ``errors``, not both. A blank required column other than ``name`` is an
    error; a blank ``name`` is left to the pipeline, which knows whether the customer already exists.
    """
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for column, raw in values.items():
        try:
            cleaned[column] = _CLEANERS[column](raw)
        except (ValueError, TypeError, ArithmeticError) as exc:
            # A message names the value to fix, unless that value holds a national id.
            errors[column] = national_id_redact(getattr(exc, "message", None) or str(exc))
    for column in _REQUIRED_IN_EVERY_ROW:
        if column not in errors and cleaned.get(column) is None:
            cleaned.pop(column, None)
            errors[column] = f"{column} is required"
    return cleaned, errors


class CustomerExportResource(resources.ModelResource):
    """Customers with their loans, one row per customer, for spreadsheets (never the national id)."""

    # Annotated by ``Customer.objects.with_do_not_call()``: suppressions are their own records.
    do_not_call = Field(attribute="do_not_call", column_name="do_not_call")
    do_not_call_reason = Field(attribute="do_not_call_reason", column_name="do_not_call_reason")
    loans = Field(column_name="loans")
    total_outstanding = Field(column_name="total_outstanding")

    class Meta:
        model = Customer
        fields = (
            "id",
            "full_name",
            "phone",
            "alternate_phones",
            "email",
            "state",
            "preferred_language",
            "do_not_call",
            "do_not_call_reason",
            "national_id_last4",
            "first_uploaded_at",
            "last_uploaded_at",
            "loans",
            "total_outstanding",
        )

    def dehydrate_alternate_phones(self, customer: Customer) -> str:
        return ", ".join(customer.alternate_phones or [])

    def dehydrate_loans(self, customer: Customer) -> str:
        return "; ".join(
            f"{loan.loan_id} {loan.outstanding_amount or 0:.2f} due {loan.due_date or '-'} ({loan.status})"
            for loan in customer.loans.all()
        )

    def dehydrate_total_outstanding(self, customer: Customer) -> str:
        return f"{sum((loan.outstanding_amount or 0) for loan in customer.loans.all()):.2f}"
