"""National ids (Aadhaar, PAN…): kept only as a keyed fingerprint and their last four characters.

Files carry ids where nobody expects them too (a second id column, a "Remarks" cell), so this module
also recognises an id by its shape alone, for the pipeline to mask it wherever it turns up.
"""

import hashlib
import hmac
import re
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from django.conf import settings

_SEPARATORS = re.compile(r"[\s\-./]")


@dataclass(frozen=True)
class NationalIdFingerprint:
    fingerprint: str
    last4: str


def national_id_normalize(value: str) -> str:
    return _SEPARATORS.sub("", str(value)).upper()


def national_id_fingerprint(value: str) -> NationalIdFingerprint:
    normalized = national_id_normalize(value)
    digest = hmac.new(settings.NATIONAL_ID_HMAC_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()
    return NationalIdFingerprint(fingerprint=digest, last4=normalized[-4:])


MASK = "*"


def national_id_mask(value: object) -> str:
    """What is kept of an id as written in a file: ``************9012``. Blank stays blank."""
    text = str(value or "").strip()
    if not text:
        return ""
    normalized = national_id_normalize(text)
    return MASK * max(len(normalized) - 4, 4) + normalized[-4:]


def national_id_is_masked(value: str) -> bool:
    """A masked id (from a failed-rows file being uploaded again) carries no id to fingerprint."""
    return MASK in value


# --- Verhoeff ------------------------------------------------------------------------------------------------
#
# Verhoeff's dihedral check digit (J. Verhoeff, "Error Detecting Decimal Codes", 1969), which ends every
# Aadhaar number. The tables are the multiplication table of the dihedral group D5, the position
# permutations and the inverses, as published with the algorithm.

_VERHOEFF_MULTIPLY = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_PERMUTE = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INVERSE = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _verhoeff(digits: str, offset: int) -> int:
    check = 0
    for position, digit in enumerate(reversed(digits), start=offset):
        check = _VERHOEFF_MULTIPLY[check][_VERHOEFF_PERMUTE[position % 8][ord(digit) - 48]]
    return check


def verhoeff_check_digit(digits: str) -> str:
    """The digit to append to ``digits`` (ASCII digits) to make them Verhoeff-valid."""
    return str(_VERHOEFF_INVERSE[_verhoeff(digits, 1)])


def verhoeff_is_valid(digits: str) -> bool:
    """Whether ``digits`` end in their Verhoeff check digit. Anything but ASCII digits is not valid."""
    return bool(digits) and digits.isascii() and digits.isdigit() and _verhoeff(digits, 0) == 0


# --- ids by their shape --------------------------------------------------------------------------------------
#
# Aadhaar: 12 digits, the first 2–9, the last a Verhoeff check digit (UIDAI, "A UID Numbering Scheme", 2010;
# as python-stdnum's ``stdnum.in_.aadhaar`` checks it), written in one run or in groups of four separated by
# a space or a hyphen.
# PAN: 5 letters, 4 digits, 1 letter; the 4th letter is the holder's type: P individual, C company, H HUF,
# F firm/LLP, A association of persons, T trust, B body of individuals, L local authority, J artificial
# juridical person, G government (Income Tax Department, "Permanent Account Number (PAN)" tutorial,
# https://incometaxindia.gov.in/tutorials/1.permanent%20account%20number%20(pan).pdf), and K "Krish (Trust
# Krish)", which python-stdnum's ``stdnum.in_.pan`` (2.2) also accepts.
# Lower case is accepted too: a clerk's typing must not let an id through.
#
# A token stands alone: no letter or digit right before or after it, and no ``+`` before it (``+91…`` is a
# phone). A 10-digit phone never has the shape; a 12-digit number with a wrong check digit is no Aadhaar.
_AADHAAR = r"[2-9][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}"
_PAN = r"[A-Za-z]{3}[ABCFGHJKLPTabcfghjklpt][A-Za-z][0-9]{4}[A-Za-z]"
_ID_SHAPED = re.compile(rf"(?<![0-9A-Za-z+])(?:({_AADHAAR})|{_PAN})(?![0-9A-Za-z])")
_id_shaped = _ID_SHAPED.search
# An Indian mobile written with its country code and no ``+`` (``919876543210``): in a phone column that is
# a phone, whatever its last digit.
_INDIAN_MOBILE_WITH_CODE = re.compile(r"91[6-9][0-9]{9}")
# The shortest id, a PAN, has 10 characters: shorter text holds none.
NATIONAL_ID_MIN_LENGTH = 10
AADHAAR_NUMBER_RANGE = range(200_000_000_000, 1_000_000_000_000)


def _digits(aadhaar: str) -> str:
    return aadhaar.replace(" ", "").replace("-", "")


def _is_national_id(match: re.Match, *, phones_kept: bool) -> bool:
    aadhaar = match.group(1)
    if aadhaar is None:
        return True  # the PAN's shape is all there is to check: its last letter's algorithm is not published
    digits = _digits(aadhaar)
    if phones_kept and _INDIAN_MOBILE_WITH_CODE.fullmatch(digits):
        return False
    return verhoeff_is_valid(digits)


def national_id_in(text: str) -> str | None:
    """The kind of national id ``text`` holds somewhere ("Aadhaar" or "PAN"), or None."""
    if len(text) < NATIONAL_ID_MIN_LENGTH:
        return None
    match = _id_shaped(text)  # most text has no id-shaped token: one search, no iterator
    while match is not None:
        if _is_national_id(match, phones_kept=False):
            return "Aadhaar" if match.group(1) else "PAN"
        match = _id_shaped(text, match.end())
    return None


def national_id_redact(text: str, *, phones_kept: bool = False) -> str:
    """``text`` with every national id in it masked (``********9012``); the same object when it holds none.

    ``phones_kept``: the text is a phone column's, where ``91`` and a 10-digit mobile is a phone, not an id.
    """
    if len(text) < NATIONAL_ID_MIN_LENGTH or not _id_shaped(text):
        return text
    redacted = _ID_SHAPED.sub(
        lambda match: (
            national_id_mask(match.group(0)) if _is_national_id(match, phones_kept=phones_kept) else match.group(0)
        ),
        text,
    )
    return text if redacted == text else redacted


def national_ids_masked(
    values: dict[str, Any], *, phone_columns: Set[str] = frozenset(), kept_columns: Set[str] = frozenset()
) -> dict[str, str] | None:
    """The cells of a row (column -> cell) that hold a national id, masked; None when none does.

    Called on every row of every file: each cell goes through a length test and one regular expression, and
    only the few shaped like an id go further (an Aadhaar's check digit). ``kept_columns`` are never masked
    (loan ids); in ``phone_columns`` a mobile written with its country code is a phone.
    """
    masked = None
    shaped, shortest, numbers = _id_shaped, NATIONAL_ID_MIN_LENGTH, AADHAAR_NUMBER_RANGE
    for column, value in values.items():
        if value.__class__ is str:
            if len(value) < shortest or column in kept_columns or shaped(value) is None:
                continue
            text = value
        elif value.__class__ is int and value in numbers and column not in kept_columns:  # a workbook's number
            text = str(value)
        else:
            continue
        redacted = national_id_redact(text, phones_kept=column in phone_columns)
        if redacted is not text:
            masked = masked or {}
            masked[column] = redacted
    return masked
