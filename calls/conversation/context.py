"""The facts a conversation speaks of: the call's person, loans, language and money, and how they are said.

``Context`` is read once per turn; it turns a prompt key into the words of the call's language (``prompts``),
amounts and dates into speech (``speech``), and builds the ``Reply``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from calls.compliance.jurisdiction import jurisdiction_for
from calls.models import Call
from calls.services.promises import promise_default_amount
from customers.models import Customer, Loan, LoanStatus

from .prompts import HINTS, PROMPTS
from .speech import spoken_amount, spoken_date
from .turns import Reply

# Twilio-style locales for what the bot says and hears.
LOCALES = {("en", "IN"): "en-IN", ("hi", "IN"): "hi-IN", ("en", "US"): "en-US", ("hi", "US"): "hi-IN"}


@dataclass(frozen=True)
class LoanLine:
    loan_id: str
    pk: int
    outstanding: Decimal
    due_date: date | None
    due_now: Decimal  # what a promise is for when no amount is named (the instalment due, else all owed)


class Context:
    """The call's people, loans, language and money, read once per turn."""

    def __init__(self, call: Call, loans: list[Loan]) -> None:
        customer: Customer = call.customer
        campaign = call.campaign
        self.call = call
        self.language = customer.preferred_language
        self.script = PROMPTS.get(self.language)
        place = jurisdiction_for(customer.phone, customer.state)
        self.country = place.country
        self.zone = place.home_zone
        self.today = timezone.now().astimezone(self.zone).date()
        self.locale = LOCALES.get((self.language, self.country), LOCALES.get((self.language, "IN"), "en-IN"))
        self.first_name = (customer.full_name.split() or [""])[0]
        self.lender = (campaign.lender_name if campaign else "") or settings.VOICE_LENDER_NAME
        self.callback_number = (campaign.callback_number if campaign else "") or settings.VOICE_CALLBACK_NUMBER
        self.contact_person = (campaign.contact_person if campaign else "") or settings.VOICE_CONTACT_PERSON
        self.transfer_number = (campaign.transfer_number if campaign else "") or settings.VOICE_TRANSFER_NUMBER
        self.recording = bool(campaign and campaign.record_calls)
        self.second_check = bool(campaign and campaign.second_check)
        self.loans = [
            LoanLine(
                loan_id=loan.loan_id,
                pk=loan.pk,
                outstanding=loan.outstanding_amount,
                due_date=loan.due_date,
                due_now=promise_default_amount(loan),
            )
            for loan in loans
            if loan.outstanding_amount and loan.outstanding_amount > 0
        ]
        self.loan_records = {loan.pk: loan for loan in loans}
        self.total = sum((line.outstanding for line in self.loans), Decimal("0"))
        self.due_now = sum((line.due_now for line in self.loans), Decimal("0"))

    def amount(self, value: Decimal) -> str:
        return spoken_amount(value, language=self.language, country=self.country)

    def date(self, value: date) -> str:
        return spoken_date(value, language=self.language, today=self.today)

    def text(self, key: str, **values: str) -> str:
        words = {
            "lender": self.lender,
            "first_name": self.first_name,
            "callback_number": " ".join(self.callback_number.lstrip("+")),  # said digit by digit
            "contact_person": self.contact_person,
            **values,
        }
        text = self.script[key]
        for name, value in words.items():
            # Plain replacement, not str.format: names come from uploaded files and must never format.
            text = text.replace("{" + name + "}", value)
        return text

    def reply(self, step: str, *texts: str, listen: bool = True, **extra) -> Reply:
        hints = HINTS.get(self.language, {}).get(step, ()) if listen else ()
        return Reply(
            step=step,
            language=self.language,
            locale=self.locale,
            say=tuple(text for text in texts if text),
            listen=listen,
            hints=hints,
            **extra,
        )

    def loan_to_verify(self) -> str:
        """The last four digits of the first loan, when the lender's loan ids have them."""
        digits = "".join(ch for ch in (self.loans[0].loan_id if self.loans else "") if ch.isdigit())
        return digits[-4:] if len(digits) >= 4 else ""


def loans_in_conversation(call: Call) -> list[Loan]:
    """The loans a call speaks of: its own, or (a call about the borrower) their active loans the campaign
    covers, oldest due first."""
    if call.loan_id is not None:
        loans = [call.loan] if call.loan.status == LoanStatus.ACTIVE else []
    else:
        query = Loan.objects.filter(customer_id=call.customer_id, status=LoanStatus.ACTIVE)
        if call.campaign_id is not None:
            from calls.services.audience import campaign_audience

            query = campaign_audience(campaign=call.campaign).filter(customer_id=call.customer_id)
        loans = list(query.order_by("due_date", "id"))
    return loans
