"""The one phone normaliser: every phone that enters the product goes through ``phone_normalize``.

Files from lenders write the same number in many ways — ``+919876543210``, ``09876543210``,
``0091-98765-43210``, ``+91 (0) 98765 43210``, or an Excel cell that turned it into ``9876543210.0``
or ``9.876543210E+09``. They all name one person, so they must all become one E.164 string.

A spreadsheet that shows a phone in scientific notation may also have dropped its last digits:
``9.87654E+09`` reads as 9876540000, somebody else's number. A number whose written digits do not reach
its last digit is refused, never filled with zeros.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import phonenumbers
from django.conf import settings

from voiceassist.common.exceptions import ApplicationError

_EXCEL_NUMBER = re.compile(r"^\d+(\.\d+)?([eE][+]?\d+)?$")
# ``9.87654E+09``; some locales write the decimal comma (``9,87654E+09``).
_SCIENTIFIC = re.compile(r"^(\d+)(?:[.,](\d*))?[eE]\+?(\d+)$")
_LETTERS = re.compile(r"[A-Za-z]")
_EXPONENT = re.compile(r"[eE]\+?(\d+)")
_MAX_PHONE_CHARS = 64
_MAX_PHONE_DIGITS = 20
# The common shapes of an Indian number: 10 national digits behind +91, 0091, 91 or the trunk 0,
# with spaces or hyphens between groups. Checked by ``phonenumbers`` itself, without its slower
# parser: a file of a million rows spends most of its phone time here.
_INDIAN_SEPARATORS = re.compile(r"[\s\-]")
_INDIAN_NUMBER = re.compile(r"^(?:\+91|0091|91|0)?([1-9]\d{9})$")
_INDIA = phonenumbers.PhoneMetadata.metadata_for_region("IN")
# A number that fits both India's general and mobile patterns is valid by phonenumbers' own rules;
# checking those two compiled patterns costs a microsecond instead of ten.
_INDIAN_GENERAL = re.compile(_INDIA.general_desc.national_number_pattern)
_INDIAN_MOBILE = re.compile(_INDIA.mobile.national_number_pattern)


class InvalidPhoneNumber(ApplicationError, ValueError):
    """Raised with a message that names the value and what is wrong with it."""

    code = "invalid_phone"


def _refuse_lost_digits(text: str) -> None:
    """Refuse scientific notation whose digits stop before the number's last digit.

    The exponent only says how many digits the number has; the ones past the written mantissa were lost
    when the spreadsheet rounded the cell for display, and zeros in their place dial another person.
    """
    match = _SCIENTIFIC.match(text)
    if not match:
        return
    whole, fraction, exponent = match.groups(default="")
    number = Decimal(f"{whole}.{fraction or 0}e{exponent}")
    if number == 0 or number != number.to_integral_value():
        return  # not a phone at all: the parser says so
    written = (whole + fraction).lstrip("0")
    digits_needed = len(str(int(number)))
    if len(written) < digits_needed:
        raise InvalidPhoneNumber(
            f"“{text}” lost its last digits in a spreadsheet: ask the lender for the number as text."
        )


def _undo_excel_number(text: str) -> str:
    """``9876543210.0`` and ``9.876543210E+09`` are how spreadsheets print a phone stored as a number."""
    if "." not in text and "e" not in text.lower():
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if number != number.to_integral_value():
        return text
    return str(int(number))


def phone_normalize(value: object, *, region: str | None = None) -> str:
    """Return ``value`` as an E.164 string (``+919876543210``) or raise ``InvalidPhoneNumber``."""
    if value is None:
        raise InvalidPhoneNumber("A phone number is required.")
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        text = format(Decimal(str(value)), "f")
    else:
        text = str(value)
    text = text.strip()
    if not text:
        raise InvalidPhoneNumber("A phone number is required.")
    if text.startswith("-") or text.endswith("-"):
        raise InvalidPhoneNumber(f"“{text}” is not a phone number: it has a minus sign.")
    # No phone has more than 15 digits (E.164) behind at most a few prefix digits: a longer text, or an exponent
    # naming more digits (``1e99999999``, which would take minutes to expand), is refused before it is read.
    exponent = _EXPONENT.search(text)
    if len(text) > _MAX_PHONE_CHARS or (exponent and int(exponent.group(1)) > _MAX_PHONE_DIGITS):
        raise InvalidPhoneNumber(f"“{text[:40]}” is not a phone number: it is too long.")
    _refuse_lost_digits(text)
    if _SCIENTIFIC.match(text):
        text = text.replace(",", ".")
    if _LETTERS.search(re.sub(r"(?<=\d)[eE]\+?(?=\d)", "", text)):
        raise InvalidPhoneNumber(f"“{text}” is not a phone number: it contains letters.")
    if _EXCEL_NUMBER.match(text):
        text = _undo_excel_number(text)

    region = region or settings.PHONE_DEFAULT_REGION
    if region == "IN":
        fast = _indian_fast_path(text)
        if fast:
            return fast
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"“{text}” is not a phone number: {_parse_error_reason(exc)}.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"“{text}” is not a valid phone number: {_invalid_reason(parsed)}.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _indian_fast_path(text: str) -> str | None:
    match = _INDIAN_NUMBER.match(_INDIAN_SEPARATORS.sub("", text))
    if not match:
        return None
    national = match.group(1)
    if not (_INDIAN_GENERAL.fullmatch(national) and _INDIAN_MOBILE.fullmatch(national)):
        candidate = phonenumbers.PhoneNumber(country_code=91, national_number=int(national))
        if not phonenumbers.is_valid_number(candidate):
            return None  # let the full parser give the precise reason
    return f"+91{national}"


def phone_try_normalize(value: object) -> str | None:
    """The normalised phone, or ``None`` when ``value`` is not a phone (for search boxes)."""
    try:
        return phone_normalize(value)
    except InvalidPhoneNumber:
        return None


def _parse_error_reason(exc: phonenumbers.NumberParseException) -> str:
    reasons = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "the country code is not valid",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "it does not look like a number",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }
    return reasons.get(exc.error_type, "it could not be read")


def _invalid_reason(parsed: phonenumbers.PhoneNumber) -> str:
    reasons = {
        phonenumbers.ValidationResult.TOO_SHORT: "too short",
        phonenumbers.ValidationResult.TOO_LONG: "too long",
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "the country code is not valid",
        phonenumbers.ValidationResult.INVALID_LENGTH: "wrong number of digits",
    }
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    return reasons.get(reason, "no such number range exists (check the first digits)")


class PhoneKind(NamedTuple):
    """What a number says of itself: its type (``PhoneType``) and country (ISO 3166 alpha-2)."""

    type: str
    country: str


_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    # The US and Canada number mobiles and landlines alike: the number cannot tell.
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile_or_landline",
}


def phone_kind(e164: str) -> PhoneKind:
    """The type and country of a normalised number, by ``phonenumbers``' metadata (an Indian mobile, the common
    case, is told by its compiled pattern alone). A number in no known range is ``other``."""
    if e164.startswith("+91") and _INDIAN_MOBILE.fullmatch(e164[3:]):
        return PhoneKind("mobile", "IN")
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return PhoneKind("other", "")
    country = phonenumbers.region_code_for_number(number) or ""
    return PhoneKind(_TYPES.get(phonenumbers.number_type(number), "other"), "" if country == "ZZ" else country)
