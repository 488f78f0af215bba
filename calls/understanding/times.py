"""A time of day the caller named ("call me at 5 pm", "shaam 5 baje", "saadhe das baje"), for callbacks.

A clock hour with no am/pm and no part of the day is read in business hours: 1 to 7 is afternoon or
evening (5 -> 17:00), 8 to 11 is morning, 12 is noon. A part of the day moves the hour into it
("shaam 5" -> 17:00, "subah 10" -> 10:00, "raat 9" -> 21:00, "dopahar 2" -> 14:00).
"""

import re
from datetime import time
from decimal import Decimal

from calls.understanding.numbers import NumberSpan

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_AFTERNOON_WORDS = frozenset({"pm", "shaam", "evening", "raat", "night", "dopahar", "afternoon", "tonight"})
_MORNING_WORDS = frozenset({"am", "subah", "morning"})
_HOUR_MARKERS = frozenset({"baje", "oclock", "pm", "am"})


def _to_time(hours: Decimal, minutes: int, tokens: list[str], index: int) -> time | None:
    hour = int(hours)
    minutes += int((hours - hour) * 60)
    if not 0 <= hour <= 23 or not 0 <= minutes <= 59:
        return None
    window = set(tokens[max(0, index - 3) : index + 4])
    if hour < 12 and window & _AFTERNOON_WORDS:
        if not (hour >= 9 and window & {"dopahar", "afternoon"}):
            hour += 12
    elif hour == 12 and window & {"raat", "night"}:
        hour = 0
    elif hour <= 7 and hour != 0 and not window & _MORNING_WORDS:
        hour += 12
    return time(hour, minutes)


def time_from(tokens: list[str], spans: list[NumberSpan]) -> tuple[time | None, set[int]]:
    """The time of day said, if any, and the number spans it used."""
    for index, token in enumerate(tokens):
        if match := _CLOCK.match(token):
            return _to_time(Decimal(match[1]), int(match[2]), tokens, index), set()
    for span in spans:
        after = tokens[span.end] if span.end < len(tokens) else ""
        before = tokens[span.start - 1] if span.start else ""
        if span.has_multiplier or span.value > 24:
            continue
        said_as_hour = after in _HOUR_MARKERS or (before == "at" and after not in ("tarikh", "th", "din", "days"))
        if said_as_hour:
            return _to_time(span.value, 0, tokens, span.start), {span.start}
    return None, set()
