"""The one declaration of the customer file's columns: their names, the headers lenders give them, how cells read.

Every lender names and writes columns their own way — ``Mobile No.``, ``LAN``, ``1,00,000``, ``31-Dec-2025``,
an Excel serial ``46022`` — so the reading lives here once, for uploads, the admin and any later import.

``CustomerFileResource`` declares one django-import-export field per canonical column; its widgets turn a
raw cell into a Python value or raise ``ValueError`` with a message that names the value, for a clerk to
fix. ``header_map`` matches a file's header row to the canonical columns (a person's choices first) and
``resource_clean_row`` cleans one row. A million-row file goes through ``resource_clean_row`` a million times,
so the per-row path calls the widgets directly, with regular expressions compiled once and fast paths for the
common spellings.
"""

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import resources, widgets
from import_export.fields import Field

from customers.models import Customer, Language
from customers.national_ids import national_id_in, national_id_is_masked, national_id_redact
from customers.phones import phone_normalize
from voiceassist.common.exceptions import ApplicationError

REQUIRED_COLUMNS = ("name", "phone")

# Headers lenders' files give each column, beyond the canonical name. Collection, overdue and EMI-bounce files
# of Indian banks and NBFCs add their own shorthand (``Cust Mob``, ``Agreement No``, ``EMI Amt``, ``POS``,
# ``TOS``). A header belongs to one column only (tests check it); a header that could mean two things stays
# out, for a person to map at the preview. A bucket (``Bucket``, ``BKT``: a DPD band) is not imported: the
# days past due it is derived from are.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "customer name",
        "borrower name",
        "full name",
        "customer",
        "borrower",
        "cust name",
        "customer full name",
        "applicant name",
        "client name",
        "account holder name",
        "name of borrower",
        "name of customer",
    ),
    "phone": (
        "phone",
        "mobile",
        "mobile no",
        "mobile number",
        "contact number",
        "contact no",
        "phone number",
        "phone no",
        "primary phone",
        "cell",
        # Collection and overdue files: the customer's own (first) mobile.
        "cust mob",
        "cust mob no",
        "cust mobile",
        "cust mobile no",
        "customer mobile",
        "customer mobile no",
        "customer mobile number",
        "customer phone",
        "customer contact no",
        "borrower mobile",
        "borrower mobile no",
        "registered mobile",
        "registered mobile no",
        "registered mobile number",
        "mob",
        "mob no",
        "mobile no 1",
        "mobile 1",
        "phone 1",
        "phone no 1",
        "contact no 1",
        "primary mobile",
        "primary mobile no",
    ),
    "alternate_phone": (
        "alternate phone",
        "alternate mobile",
        "alt phone",
        "alt mobile",
        "secondary phone",
        "other phone",
        "alternate number",
        "alternate mobile no",
        "alternate mobile number",
        "alternate contact no",
        "alt mob",
        "alt mobile no",
        "mobile no 2",
        "mobile 2",
        "phone 2",
        "phone no 2",
        "contact no 2",
        "secondary mobile",
        "other mobile",
    ),
    "loan_id": (
        "loan id",
        "loan account no",
        "loan account number",
        "loan no",
        "loan number",
        "lan",
        "account number",
        "account no",
        # Vehicle, two-wheeler and consumer-durable lenders call the loan an agreement (a hire-purchase contract).
        "agreement no",
        "agreement number",
        "agreement id",
        "agmt no",
        "loan a/c no",
        "loan a/c number",
        "loan account",
        "loan account id",
        "lan no",
        "lan number",
        "account id",
        "contract no",
        "contract number",
    ),
    # What the loan still owes: the total outstanding (principal, interest and charges), or what is overdue
    # where that is all the file gives.
    "amount": (
        "amount",
        "outstanding",
        "outstanding amount",
        "total due",
        "overdue amount",
        "tos",
        "total outstanding",
        "total outstanding amount",
        "total os",
        "outstanding amt",
        "os amount",
        "os amt",
        "total dues",
        "total due amount",
        "overdue amt",
        "total overdue",
        "total overdue amount",
        "balance outstanding",
        "outstanding balance",
        "net outstanding",
        "balance",
    ),
    # The instalment due now (an EMI); the outstanding amount is what the whole loan still owes.
    "amount_due": (
        "amount due",
        "emi",
        "emi amount",
        "instalment",
        "installment",
        "instalment amount",
        "due amount",
        "amount due now",
        "min due",
        "emi amt",
        "emi due",
        "emi due amount",
        "installment amount",
        "instalment amt",
        "installment amt",
        "inst amt",
        "due amt",
        "current due",
        "current emi",
        "monthly emi",
        "demand amount",
    ),
    # The loan's principal as the file gives it: the amount lent, or the principal still outstanding (POS).
    "principal": (
        "principal",
        "principal amount",
        "loan amount",
        "sanctioned amount",
        "pos",
        "principal outstanding",
        "principal os",
        "outstanding principal",
        "principal balance",
        "loan amt",
        "disbursed amount",
        "sanction amount",
    ),
    "due_date": (
        "due date",
        "emi due date",
        "next due date",
        "payment due date",
        "emi date",
        "instalment due date",
        "installment due date",
        "due dt",
        "emi due dt",
        "next emi date",
        "next emi due date",
    ),
    "days_past_due": (
        "dpd",
        "days past due",
        "overdue days",
        "current dpd",
        "dpd days",
        "days overdue",
        "no of days overdue",
        "days in arrears",
        "days in arrear",
        "ageing days",
        "aging days",
    ),
    "state": ("state", "region", "state name", "customer state"),
    "language": ("language", "preferred language", "lang", "preferred lang", "language preference"),
    "national_id": (
        "national id",
        "aadhaar",
        "aadhar",
        "aadhaar number",
        "pan",
        "pan number",
        "kyc id",
        "aadhaar no",
        "aadhar no",
        "aadhar number",
        "aadhaar card no",
        "pan no",
        "pan card no",
        "pan card number",
    ),
    "email": ("email", "email id", "email address", "e-mail", "mail id", "customer email", "cust email"),
    # A payment the lender's file reports (usually the loan's last one).
    "payment_reference": (
        "payment reference",
        "last payment reference",
        "utr",
        "transaction id",
        "utr no",
        "utr number",
        "receipt no",
        "receipt number",
        "transaction reference",
        "txn id",
    ),
    "payment_amount": (
        "payment amount",
        "last payment amount",
        "amount paid",
        "paid amount",
        "last paid amount",
        "amount received",
        "collected amount",
    ),
    "payment_date": (
        "payment date",
        "last payment date",
        "paid on",
        "paid date",
        "last paid date",
        "receipt date",
        "date of payment",
    ),
}

# Each column as a person choosing it from a list reads it (the column mapping at a preview, profiles).
COLUMN_LABELS: dict[str, str] = {
    "name": "Customer name",
    "phone": "Mobile (the customer's phone)",
    "alternate_phone": "Alternate phone(s)",
    "loan_id": "Loan id (loan account / agreement number)",
    "amount": "Outstanding amount (total the loan still owes)",
    "amount_due": "Amount due now (EMI)",
    "principal": "Principal (loan amount or principal outstanding)",
    "due_date": "Due date",
    "days_past_due": "Days past due (DPD)",
    "state": "State",
    "language": "Preferred language",
    "national_id": "National id (Aadhaar, PAN)",
    "email": "Email",
    "payment_reference": "Payment reference (UTR, receipt no)",
    "payment_amount": "Payment amount",
    "payment_date": "Payment date",
}


def column_choices() -> list[tuple[str, str]]:
    """The columns a file's header may be mapped to, as ``(column, label)`` in declaration order."""
    return [(column, COLUMN_LABELS[column]) for column in HEADER_ALIASES]


# Punctuation lenders sprinkle into headers (``Mobile No.``, ``LOAN_ID``, ``Phone*``); it and all spaces are
# ignored, so ``MobileNo`` and ``mobile  no`` match too.
_HEADER_PUNCTUATION = re.compile(r"[._\-#:/()*\s]+")


def header_key(header: str) -> str:
    """A header as aliases are matched: case, spaces and that punctuation ignored (``Mobile No.`` -> ``mobileno``)."""
    return _HEADER_PUNCTUATION.sub("", header.replace("\ufeff", "").casefold())


_COLUMN_BY_HEADER_KEY: dict[str, str] = {
    header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def header_column(header: str) -> str | None:
    """The canonical column a header names (``Aadhaar`` -> ``national_id``), even when another header of the
    file names it too; None for a header that matches nothing."""
    return _COLUMN_BY_HEADER_KEY.get(header_key(header))


# --- widgets -----------------------------------------------------------------------------------------------
#
# Each widget's ``clean`` takes the raw cell (a ``str`` from a CSV; ``str``, ``int``, ``float``, ``datetime``
# or ``None`` from a workbook) and returns ``None`` for a blank cell. Text cells, by far the most common, are
# tested first with ``type(value) is str``.

_NUMBER_TYPES = (int, float, Decimal)


def _is_number(value: object) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


class TextWidget(widgets.Widget):
    """Free text (names, states): surrounding and repeated inner spaces removed."""

    def __init__(self, *, max_length: int, label: str):
        super().__init__()
        self.max_length = max_length
        self.label = label

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        if value is None:
            return None
        text = " ".join((value if type(value) is str else str(value)).split())
        if not text:
            return None
        if len(text) > self.max_length:
            shown = national_id_redact(text)[:40]  # masked before it is cut: half an id is still an id
            raise ValueError(f"“{shown}…” is too long for a {self.label} (at most {self.max_length} characters).")
        kind = national_id_in(text)
        if kind is not None:
            # Kept, it would sit in clear on the customer and in the entries' changes.
            raise ValueError(
                f"This {self.label} holds what looks like a national id ({kind}). National ids go in their own "
                "column (Aadhaar, PAN…), where only their last four characters are kept."
            )
        return text


_EXCEL_INTEGER_TEXT = re.compile(r"(\d+)\.0*")
_EXCEL_ROUNDED_TEXT = re.compile(r"\d(?:\.\d+)?[eE]\+\d+")


class IdentifierWidget(widgets.Widget):
    """Identifiers (loan ids, national ids): kept as written, except what a spreadsheet did to a number.

    A cell stored as a number comes back as ``12345.0``; written in scientific notation (``1.23457E+11``)
    its digits are already lost, and only the lender can restore them.
    """

    def __init__(self, *, max_length: int, label: str):
        super().__init__()
        self.max_length = max_length
        self.label = label

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        if value is None:
            return None
        if _is_number(value):
            text = self._from_number(value)
        else:
            text = (value if type(value) is str else str(value)).strip()
            if not text:
                return None
            if not (text.isascii() and text.isalnum()):
                text = self._from_text(text)
        if len(text) > self.max_length:
            raise ValueError(
                f"{self._quoted(text, cut=40)} is too long for a {self.label} (at most {self.max_length} characters)."
            )
        return text

    def _quoted(self, value: object, *, cut: int | None = None) -> str:
        """The value as a message names it; masked before it is cut, as half an id is still an id."""
        text = national_id_redact(str(value))
        return f"“{text[:cut] if cut else text}”"

    def _from_number(self, value: int | float | Decimal) -> str:
        number = Decimal(str(value))
        if not number.is_finite():
            raise ValueError(f"{self._quoted(value)} is not a {self.label}.")
        return str(int(number)) if number == number.to_integral_value() else str(value)

    def _from_text(self, text: str) -> str:
        integer = _EXCEL_INTEGER_TEXT.fullmatch(text)
        if integer:
            return integer.group(1)
        if _EXCEL_ROUNDED_TEXT.fullmatch(text):
            raise ValueError(
                f"{self._quoted(text)} is a {self.label} the spreadsheet shortened into a rounded number: format "
                "the column as text in the original file and export it again."
            )
        return text


class NationalIdWidget(IdentifierWidget):
    """A national id; a masked one (``********9012``, as failed-rows files carry it) means "no change".

    Its messages never name the value, not even in part: whatever is in this column may be an id.
    """

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        if isinstance(value, str) and national_id_is_masked(value):
            return None
        return super().clean(value, row=row, **kwargs)

    def _quoted(self, value: object, *, cut: int | None = None) -> str:
        return "This value"


class PhoneWidget(widgets.Widget):
    """One phone, as E.164, through the product's one normaliser (its errors name the value)."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        if _is_blank(value):
            return None
        return phone_normalize(value)


_PHONE_SEPARATORS = re.compile(r"[,;/|]")


class PhoneListWidget(widgets.Widget):
    """One or several phones in one cell, separated by , ; / or |, as a list of E.164 strings."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> list[str] | None:
        if _is_blank(value):
            return None
        if _is_number(value):
            return [phone_normalize(value)]
        phones: list[str] = []
        for part in _PHONE_SEPARATORS.split(str(value)):
            if part and not part.isspace():
                phone = phone_normalize(part)
                if phone not in phones:
                    phones.append(phone)
        return phones or None

    def render(self, value: object, obj: object = None, **kwargs) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(phone) for phone in value)
        return super().render(value, **kwargs)


_CENT = Decimal("0.01")
_AMOUNT_LIMIT = Decimal(10**12)  # the model keeps 14 digits, 2 of them after the point
# Plain digits, or Western (100,000) or Indian (1,00,000) grouping: the common forms, read without the
# slower general pattern below.
_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d*)?|(?:\d{1,2},(?:\d\d,)*|\d{1,3},(?:\d{3},)*)\d{3}(?:\.\d*)?")
# The same with an optional sign and currency marker (₹, Rs., INR) before or after, and the ``/-`` that
# closes a rupee amount.
_AMOUNT = re.compile(
    r"(-)?\s*(?:₹|rs\.?|inr)?\s*(-)?\s*"
    r"(\d+|\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3})(\.\d*)?"
    r"\s*(?:₹|rs\.?|inr)?\s*(?:/-)?",
    re.IGNORECASE,
)
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")


def _cents(digits: str, written: object) -> Decimal:
    """``digits`` (ASCII digits, maybe a point) as a ``Decimal`` with two places, built without quantize."""
    point = digits.find(".")
    if point < 0:
        amount = Decimal(digits + ".00")
    elif len(digits) - point == 3:
        amount = Decimal(digits)
    else:
        amount = Decimal(digits).quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount >= _AMOUNT_LIMIT:
        raise ValueError(f"“{written}” is too large for an amount.")
    return amount


class AmountWidget(widgets.Widget):
    """Rupee amounts as ``Decimal`` with two places, however the lender formatted them."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> Decimal | None:
        if type(value) is str:
            text = value.strip()
            if not text:
                return None
            if text.isascii() and (text.isdigit() or _PLAIN_AMOUNT.fullmatch(text)):
                return _cents(text.replace(",", ""), text)
            return self._from_text(text)
        if value is None:
            return None
        if _is_number(value):
            return self._from_number(value)
        return self.clean(str(value))

    @staticmethod
    def _from_text(text: str) -> Decimal:
        match = _AMOUNT.fullmatch(text)
        if match:
            if match.group(1) or match.group(2):
                raise ValueError(f"“{text}” is negative: an amount cannot be below zero.")
            return _cents(match.group(3).replace(",", "") + (match.group(4) or ""), text)
        if _SCIENTIFIC.fullmatch(text):
            return AmountWidget._from_number(Decimal(text), text)
        raise ValueError(f"“{text}” is not an amount. Write it with digits, like 50000, 1,00,000 or ₹50,000.00.")

    @staticmethod
    def _from_number(value: int | float | Decimal, written: object = None) -> Decimal:
        written = value if written is None else written
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        if not amount.is_finite():
            raise ValueError(f"“{written}” is not an amount.")
        if amount < 0:
            raise ValueError(f"“{written}” is negative: an amount cannot be below zero.")
        if amount >= _AMOUNT_LIMIT:
            raise ValueError(f"“{written}” is too large for an amount.")
        return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


_EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers accepted as dates: 1954-10-03 to 2119-01-08. Outside that a number is not a due date.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?"
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_YEAR_FIRST = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME)
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]*([A-Za-z]{3,9})\.?[\s\-/.,]*(\d{4}|\d{2})" + _TIME)
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.?[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]*(\d{4})" + _TIME)
_SERIAL = re.compile(r"\d{5}(?:\.\d*)?")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DATE_HINT = "Write it day first, like 31/12/2025, or as 2025-12-31."


def _full_year(year: str) -> int:
    number = int(year)
    if len(year) == 2:  # as strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068
        number += 1900 if number >= 69 else 2000
    return number


def _real_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        pass
    if not 1 <= month <= 12:
        raise ValueError(
            f"“{text}” is not a real date: dates are read day first (dd/mm/yyyy) and there is no month {month}."
        )
    raise ValueError(f"“{text}” is not a real date: {date(2000, month, 1):%B} {year} has no day {day}.")


def _from_serial(serial: int | float | Decimal, written: object) -> date:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise ValueError(f"“{written}” is not a date. {_DATE_HINT}")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> date:
    """A date written as text; cached, as a file holds a few dozen distinct due dates in a million rows."""
    match = _DAY_FIRST.fullmatch(text)
    if match:
        return _real_date(text, _full_year(match.group(4)), int(match.group(3)), int(match.group(1)))
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        return _real_date(text, int(match.group(1)), int(match.group(3)), int(match.group(4)))
    match = _DAY_MONTH_NAME.fullmatch(text)
    if match and match.group(2).lower() in _MONTHS:
        return _real_date(text, _full_year(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    match = _MONTH_NAME_DAY.fullmatch(text)
    if match and match.group(1).lower() in _MONTHS:
        return _real_date(text, int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    if _SERIAL.fullmatch(text):
        return _from_serial(Decimal(text), text)
    raise ValueError(f"“{text}” is not a date. {_DATE_HINT}")


class DayFirstDateWidget(widgets.Widget):
    """Dates as Indian files write them: day first, or ISO, or with a month name, or as an Excel serial number."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> date | None:
        if type(value) is str:
            text = value.strip()
            return _parse_date_text(text) if text else None
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if _is_number(value):
            return _from_serial(value, value)
        if isinstance(value, str):
            return self.clean(str(value))
        raise ValueError(f"“{value}” is not a date. {_DATE_HINT}")


_WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0*)?")
_NEGATIVE_NUMBER = re.compile(r"-\s*\d+(?:\.\d*)?")
_DAYS_LIMIT = 2_147_483_647  # the database column's limit


class DaysWidget(widgets.Widget):
    """A whole, non-negative number of days (days past due)."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> int | None:
        if type(value) is str:
            text = value.strip()
            if text.isascii() and text.isdigit():
                days = int(text)
            elif not text:
                return None
            else:
                days = self._from_text(text)
        elif value is None:
            return None
        elif _is_number(value):
            number = Decimal(str(value))
            if not number.is_finite() or number != number.to_integral_value():
                raise ValueError(f"“{value}” is not a whole number of days.")
            days = int(number)
            if days < 0:
                raise ValueError(f"“{value}” is negative: days past due cannot be below zero.")
        else:
            return self.clean(str(value))
        if days > _DAYS_LIMIT:
            raise ValueError(f"“{value}” is too large for a number of days.")
        return days

    @staticmethod
    def _from_text(text: str) -> int:
        match = _WHOLE_NUMBER.fullmatch(text)
        if match:
            return int(match.group(1))
        if _NEGATIVE_NUMBER.fullmatch(text):
            raise ValueError(f"“{text}” is negative: days past due cannot be below zero.")
        raise ValueError(f"“{text}” is not a whole number of days.")


# How lenders write languages besides our codes and English names: in the language's own script.
_NATIVE_LANGUAGE_NAMES = {
    "हिन्दी": Language.HINDI,
    "हिंदी": Language.HINDI,
    "मराठी": Language.MARATHI,
    "தமிழ்": Language.TAMIL,
    "తెలుగు": Language.TELUGU,
    "ಕನ್ನಡ": Language.KANNADA,
    "বাংলা": Language.BENGALI,
    "bangla": Language.BENGALI,
    "ગુજરાતી": Language.GUJARATI,
}
_LANGUAGES: dict[str, str] = {
    **{str(code).casefold(): str(code) for code, _label in Language.choices},
    **{str(label).casefold(): str(code) for code, label in Language.choices},
    **{name.casefold(): str(code) for name, code in _NATIVE_LANGUAGE_NAMES.items()},
}
# The spellings files use most, as written, so most cells need no case folding.
_LANGUAGES_AS_WRITTEN: dict[str, str] = {
    **_LANGUAGES,
    **{str(label): str(code) for code, label in Language.choices},
    **{str(label).upper(): str(code) for code, label in Language.choices},
}
_LANGUAGE_HINT = ", ".join(f"{code} ({label})" for code, label in Language.choices)


class LanguageWidget(widgets.Widget):
    """A preferred language as one of ``Language``'s codes, from its code, its name or its native name."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        code = _LANGUAGES_AS_WRITTEN.get(value) if type(value) is str else None
        if code is not None:
            return code
        if _is_blank(value):
            return None
        text = str(value).strip()
        code = _LANGUAGES.get(text.casefold())
        if code is None:
            raise ValueError(f"“{text}” is not a language we call in. Use one of: {_LANGUAGE_HINT}.")
        return code


_EMAIL_MAX_LENGTH = Customer._meta.get_field("email").max_length


class EmailWidget(widgets.Widget):
    """An email address, checked the way Django's ``EmailField`` checks it."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        if _is_blank(value):
            return None
        text = str(value).strip()
        if len(text) > _EMAIL_MAX_LENGTH:
            # Django's check lets through addresses longer than the column holds.
            raise ValueError(f"This email address is too long (at most {_EMAIL_MAX_LENGTH} characters).")
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(f"“{text}” is not an email address.") from None
        return text


# --- the resource ------------------------------------------------------------------------------------------


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


# --- headers and rows --------------------------------------------------------------------------------------


@dataclass
class HeaderMapping:
    """How a file's header row maps to the canonical columns.

    ``kinds`` gives every header the column it names (overrides included), even a duplicate that is not read:
    what a header holds decides how its cells are kept in the entries (a national id is masked, a loan id is
    not). ``ignored`` are the headers an override set aside; they are neither read nor reported unknown.
    """

    columns: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)


def header_overrides_by_key(overrides: dict[str, str] | None) -> dict[str, str]:
    """``overrides`` (file header as written -> column, or "" to ignore it) keyed like the aliases.

    Of two overrides for one header written two ways (``Contact 1``, ``contact-1``) the later wins. A column
    that is not canonical (a profile saved before a column was renamed) is left out: its header is matched
    by the aliases as if there were no override.
    """
    by_key: dict[str, str] = {}
    for header, column in (overrides or {}).items():
        key = header_key(str(header))
        if key and (column == "" or column in HEADER_ALIASES):
            by_key[key] = column
    return by_key


def header_map(headers: list[str], *, overrides: dict[str, str] | None = None) -> HeaderMapping:
    """Match each header to a canonical column by its aliases, ignoring case, spaces and punctuation.

    ``overrides`` maps a file header (as written; matched the same way) to a column, or to "" to ignore that
    header. An override wins over the aliases: a header an override maps to a column takes it, and a header
    the aliases match to the same column is then reported as a duplicate.
    """
    mapping = HeaderMapping()
    by_key = header_overrides_by_key(overrides)
    keys = [header_key(header) for header in headers]
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        column = by_key.get(key)
        if column:
            mapping.kinds[header] = column
            if column in mapping.columns:
                mapping.duplicates.append(header)
            else:
                mapping.columns[column] = index
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        if not key or by_key.get(key):
            continue
        if key in by_key:  # mapped to "": set aside on purpose
            mapping.ignored.append(header)
            continue
        column = _COLUMN_BY_HEADER_KEY.get(key)
        if column is None:
            mapping.unknown.append(header)
            continue
        mapping.kinds[header] = column
        if column in mapping.columns:
            mapping.duplicates.append(header)
        else:
            mapping.columns[column] = index
    mapping.missing_required = [column for column in REQUIRED_COLUMNS if column not in mapping.columns]
    return mapping


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
