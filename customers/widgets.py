"""How a cell of the customer file reads: one django-import-export widget per kind of value.

Each widget's ``clean`` takes the raw cell (a ``str`` from a CSV; ``str``, ``int``, ``float``, ``datetime`` or
``None`` from a workbook) and returns ``None`` for a blank cell, or raises ``ValueError`` with a message that
names the value, for a clerk to fix. A million-row file reads every cell through here, so text cells, by far
the most common, are tested first with ``type(value) is str``, regular expressions are compiled once, and the
common spellings take fast paths.
"""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import widgets

from customers.day_first_dates import DATE_HINT, date_from_serial, date_from_text
from customers.models import Customer, Language
from customers.national_ids import national_id_in, national_id_is_masked, national_id_redact
from customers.phones import phone_normalize

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


class DayFirstDateWidget(widgets.Widget):
    """Dates as Indian files write them: day first, or ISO, or with a month name, or as an Excel serial number."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> date | None:
        if type(value) is str:
            text = value.strip()
            return date_from_text(text) if text else None
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if _is_number(value):
            return date_from_serial(value, value)
        if isinstance(value, str):
            return self.clean(str(value))
        raise ValueError(f"“{value}” is not a date. {DATE_HINT}")


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
