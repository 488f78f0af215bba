"""Dates as lenders' files write them: day first (31/12/2025, 31-12-25), ISO, with a month name (31 Dec 2025,
Dec 31, 2025), or an Excel serial number. Read by ``DayFirstDateWidget``; never month first."""

import functools
import re
from datetime import date, timedelta
from decimal import Decimal

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
DATE_HINT = "Write it day first, like 31/12/2025, or as 2025-12-31."


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


def date_from_serial(serial: int | float | Decimal, written: object) -> date:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise ValueError(f"“{written}” is not a date. {DATE_HINT}")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


@functools.lru_cache(maxsize=4096)
def date_from_text(text: str) -> date:
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
        return date_from_serial(Decimal(text), text)
    raise ValueError(f"“{text}” is not a date. {DATE_HINT}")
