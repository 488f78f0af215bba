"""Numbers in an utterance, whatever way they were said, and which of them is an amount of money.

A caller says "5,000", "1,25,000", "12.5k", "two thousand five hundred", "saadhe teen hazaar", "डेढ़ लाख" or
"बारह हजार पांच सौ"; the recogniser may give any of those. ``number_spans`` reads each run of number
tokens into one value; ``amount_from`` then picks the money among the spans that dates and times did not use.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from calls.understanding import lexicon
from calls.understanding.normalise import number_words

_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_CURRENCY = frozenset({"rupaye", "rupees", "rupee"})
# A bare small number word counts only next to one of these ("teen din", "paanch tarikh", "5 baje").
UNITS = frozenset(
    {
        "din",
        "days",
        "hafte",
        "week",
        "mahine",
        "month",
        "saal",
        "tarikh",
        "th",
        "baje",
        "oclock",
        "pm",
        "am",
        "rupaye",
        "k",
        "day",
        "minute",
        "minutes",
        "ghante",
        "hour",
        "hours",
        "date",
    }
)


@dataclass(frozen=True)
class NumberSpan:
    start: int  # first token index
    end: int  # one past the last token index
    value: Decimal
    from_digits: bool
    has_multiplier: bool
    currency: bool


def _small_value(token: str) -> Decimal | None:
    if _DIGITS.match(token):
        return Decimal(token)
    value = number_words().get(token)
    return None if value is None else Decimal(value)


def _read_span(tokens: list[str], start: int) -> NumberSpan | None:
    """Read one number starting at ``start``: digits or words, with multipliers and Hindi fractions."""
    total = Decimal(0)
    current = Decimal(0)
    index = start
    seen = False
    digits = False
    multiplied = False
    while index < len(tokens):
        token = tokens[index]
        if token in lexicon.FRACTION_WORDS:
            current += Decimal(str(lexicon.FRACTION_WORDS[token]))
            seen = True
        elif (
            token in lexicon.FRACTION_MODIFIERS and index + 1 < len(tokens) and tokens[index + 1] in lexicon.MULTIPLIERS
        ):
            current += 1 + Decimal(str(lexicon.FRACTION_MODIFIERS[token]))  # "sava lakh", "paune hazaar"
            seen = True
        elif token in lexicon.FRACTION_MODIFIERS and index + 1 < len(tokens):
            following = _small_value(tokens[index + 1])
            if following is None:
                break
            current += following + Decimal(str(lexicon.FRACTION_MODIFIERS[token]))
            digits = digits or tokens[index + 1][0].isdigit()
            seen = True
            index += 1
        elif token in ("hundred", "sau") and seen:
            current = (current or Decimal(1)) * 100
            multiplied = True
        elif token in lexicon.MULTIPLIERS and token not in ("hundred", "sau") and seen:
            total += (current or Decimal(1)) * lexicon.MULTIPLIERS[token]
            current = Decimal(0)
            multiplied = True
        elif (
            token in ("and", "aur") and seen and index + 1 < len(tokens) and _small_value(tokens[index + 1]) is not None
        ):
            pass
        else:
            value = _small_value(token)
            if value is None:
                break
            if seen and not _continues(current, token, value, tokens[index + 1] if index + 1 < len(tokens) else ""):
                break
            current += value
            digits = digits or token[0].isdigit()
            seen = True
        index += 1
    if not seen:
        return None
    before = tokens[start - 1] if start > 0 else ""
    after = tokens[index] if index < len(tokens) else ""
    return NumberSpan(
        start=start,
        end=index,
        value=total + current,
        from_digits=digits,
        has_multiplier=multiplied,
        currency=before in _CURRENCY or after in _CURRENCY,
    )


def _continues(current: Decimal, token: str, value: Decimal, following: str) -> bool:
    """Whether a number word after a number continues it ("twenty five", "hazaar paanch sau")."""
    if following in UNITS and following not in ("rupaye", "k") or following in lexicon.MONTHS:
        return False  # "paanch hazaar 30 tarikh": the 30 is a date
    if current == 0:
        return True
    # Only English tens take a unit word after them; "2026 5000" is two numbers.
    return not token[0].isdigit() and current % 10 == 0 and 20 <= current <= 90 and value < 10


def _starts_number(tokens: list[str], index: int) -> bool:
    token = tokens[index]
    if token in lexicon.FRACTION_WORDS:
        return True
    if token in lexicon.FRACTION_MODIFIERS:
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        return following in lexicon.MULTIPLIERS or _small_value(following) is not None
    return _small_value(token) is not None


def number_spans(tokens: list[str]) -> list[NumberSpan]:
    """Every number said, in order. A lone word number needs a unit next to it ("do din"), else it is a word."""
    spans: list[NumberSpan] = []
    index = 0
    while index < len(tokens):
        if not _starts_number(tokens, index):
            index += 1
            continue
        span = _read_span(tokens, index)
        if span is None or span.end == index:
            index += 1
            continue
        after = tokens[span.end] if span.end < len(tokens) else ""
        before = tokens[index - 1] if index else ""
        if span.from_digits or span.has_multiplier or after in UNITS or before in ("at", "rupaye") or span.currency:
            spans.append(span)
        index = span.end
    return spans


def amount_from(spans: list[NumberSpan], used: set[int]) -> Decimal | None:
    """The money among the numbers dates and times did not use: one said as money first, then any 100 or more."""
    for value in _amounts(spans, used):
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return None


def _amounts(spans: list[NumberSpan], used: set[int]) -> Iterator[Decimal]:
    free = [span for span in spans if span.start not in used]
    for span in free:
        if span.currency and span.value > 0:
            yield span.value
    for span in free:
        if span.value >= 100 and (span.has_multiplier or span.value < 100_000_000):
            if span.from_digits and not span.has_multiplier and span.value >= 10_000_000:
                continue  # a phone or account number, not money
            yield span.value


def format_amount(value: Decimal | None) -> str | None:
    """'12500' for whole rupees, '2500.50' with paise: never an exponent or '.00'."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.quantize(Decimal("0.01")), "f")
