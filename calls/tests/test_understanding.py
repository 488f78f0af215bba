"""The rules engine: accuracy on the labelled utterances, and the rules that matter most, one by one."""

import json
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from calls.understanding import INTENTS, Understanding, understand

UTTERANCES = Path(__file__).parent / "fixtures" / "understanding" / "utterances.jsonl"
SATURDAY = date(2026, 11, 21)


def _labelled() -> list[dict]:
    return [json.loads(line) for line in UTTERANCES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _run(item: dict) -> Understanding:
    return understand(item["text"], lang=item["lang"], today=date.fromisoformat(item["today"]))


def test_labelled_data_covers_every_intent_and_language():
    items = _labelled()
    assert len(items) >= 420
    counts = Counter(item["intent"] for item in items)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 25
    assert sum(item["lang"] == "hi" for item in items) >= len(items) / 2


def test_intent_accuracy_per_intent_and_overall():
    support, correct = Counter(), Counter()
    for item in _labelled():
        support[item["intent"]] += 1
        correct[item["intent"]] += _run(item).intent == item["intent"]
    accuracy = {intent: correct[intent] / support[intent] for intent in support}
    assert all(value >= 0.9 for value in accuracy.values()), accuracy
    assert sum(correct.values()) / sum(support.values()) >= 0.97


def test_date_and_amount_accuracy_on_the_lines_that_carry_them():
    items = _labelled()
    with_date = [item for item in items if item["date"]]
    with_amount = [item for item in items if item["amount"]]
    dates_right = sum(_run(item).date == date.fromisoformat(item["date"]) for item in with_date)
    amounts_right = sum(_run(item).amount == Decimal(item["amount"]) for item in with_amount)
    assert dates_right / len(with_date) >= 0.95
    assert amounts_right / len(with_amount) >= 0.95


def test_the_example_from_the_interface():
    result = understand("main parso paanch hazaar de dunga", lang="hi", today=SATURDAY)
    assert result == Understanding(
        intent="promise_to_pay",
        date=date(2026, 11, 23),
        amount=Decimal("5000"),
        time=None,
        confidence=result.confidence,
        backend="rules",
    )
    assert 0 <= result.confidence <= 1


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_unclear(text):
    result = understand(text, lang="hi", today=SATURDAY)
    assert (result.intent, result.date, result.amount) == ("unclear", None, None)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("kal kar dunga", "promise_to_pay", date(2026, 11, 22)),
        ("kal kar diya", "already_paid", date(2026, 11, 20)),
        ("maine kal payment kar diya tha", "already_paid", date(2026, 11, 20)),
        ("कल दे दूंगा", "promise_to_pay", date(2026, 11, 22)),
        ("कल दे दिया", "already_paid", date(2026, 11, 20)),
        ("parso bhej dunga", "promise_to_pay", date(2026, 11, 23)),
        ("parso bhej diya", "already_paid", date(2026, 11, 19)),
        ("परसों जमा कर दिया", "already_paid", date(2026, 11, 19)),
        ("kal nahi parso dunga", "promise_to_pay", date(2026, 11, 23)),
    ],
)
def test_kal_and_parso_are_read_by_tense(text, intent, expected):
    result = understand(text, lang="hi", today=SATURDAY)
    assert (result.intent, result.date) == (intent, expected)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("15 tarikh ko dunga", date(2026, 11, 21), date(2026, 12, 15)),  # passed this month: next month
        ("30 tarikh tak dunga", date(2026, 11, 21), date(2026, 11, 30)),
        ("21 tarikh ko dunga", date(2026, 11, 21), date(2026, 11, 21)),  # today is still this month
        ("I will pay on the 5th", date(2026, 12, 29), date(2027, 1, 5)),  # across the year
        ("31 tarikh ko dunga", date(2027, 2, 10), date(2027, 2, 28)),  # no 31st: the month's last day
        ("maine 25 tarikh ko diya", date(2026, 11, 21), date(2026, 10, 25)),  # past tense: last month
        ("agle mahine 5 tarikh", date(2026, 11, 21), date(2026, 12, 5)),
        ("27 November", date(2026, 11, 21), date(2026, 11, 27)),
        ("5 March", date(2026, 11, 21), date(2027, 3, 5)),  # passed this year: next year
        ("27/11", date(2026, 11, 21), date(2026, 11, 27)),
        ("27-11-2026", date(2026, 11, 21), date(2026, 11, 27)),
        ("2026-12-01", date(2026, 11, 21), date(2026, 12, 1)),
        ("5 दिसंबर", date(2026, 11, 21), date(2026, 12, 5)),
        ("mahine ke end tak", date(2026, 11, 21), date(2026, 11, 30)),
        ("within three days", date(2026, 11, 21), date(2026, 11, 24)),
        ("do hafte mein", date(2026, 11, 21), date(2026, 12, 5)),
    ],
)
def test_days_of_the_month_and_calendar_dates(text, today, expected):
    assert understand(text, lang="hi", today=today).date == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("Friday", date(2026, 11, 21), date(2026, 11, 27)),  # Saturday -> the coming Friday
        ("this Friday", date(2026, 11, 20), date(2026, 11, 27)),  # on a Friday: a week later
        ("next Friday", date(2026, 11, 3), date(2026, 11, 13)),  # Tuesday: Friday of next week
        ("next Friday", date(2026, 11, 21), date(2026, 11, 27)),  # Saturday: the coming one is in next week
        ("somvar ko", date(2026, 11, 21), date(2026, 11, 23)),
        ("I paid on Monday", date(2026, 11, 27), date(2026, 11, 23)),
    ],
)
def test_weekdays(text, today, expected):
    assert understand(text, lang="en", today=today).date == expected


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("I will pay 5000", "5000"),
        ("I will pay 5,000", "5000"),
        ("I will pay 1,25,000", "125000"),
        ("₹12,500 de dunga", "12500"),
        ("Rs. 2500 today", "2500"),
        ("12.5k tomorrow", "12500"),
        ("2500.50 rupees", "2500.50"),
        ("two thousand five hundred", "2500"),
        ("twelve thousand", "12000"),
        ("one lakh twenty five thousand", "125000"),
        ("paanch hazaar", "5000"),
        ("dedh lakh", "150000"),
        ("dhai hazaar", "2500"),
        ("saadhe teen hazaar", "3500"),
        ("sava lakh", "125000"),
        ("barah hazaar paanch sau", "12500"),
        ("बारह हजार पांच सौ", "12500"),
        ("पाँच हज़ार", "5000"),
        ("डेढ़ लाख", "150000"),
        ("ढाई हजार", "2500"),
        ("५००० दूंगा", "5000"),
        ("2 lakh 50 hazaar", "250000"),
        # A figure before "day after tomorrow" is money, not a count of days.
        ("I will pay 12500 day after tomorrow", "12500"),
    ],
)
def test_amounts_in_every_form(text, amount):
    assert understand(text, lang="hi", today=SATURDAY).amount == Decimal(amount)


@pytest.mark.parametrize(
    "text",
    [
        "30 tarikh ko dunga",
        "3 din mein dunga",
        "27 Nov 2026 ko dunga",
        "2026-12-01 ko dunga",
        "teen din mein",
        "shaam 5 baje call karna",
    ],
)
def test_dates_counts_years_and_hours_are_not_amounts(text):
    assert understand(text, lang="hi", today=SATURDAY).amount is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I will pay on Monday", "promise_to_pay"),
        ("I will not pay", "cannot_pay"),
        ("I won't pay", "cannot_pay"),
        ("main nahi dunga", "cannot_pay"),
        ("nahi de sakta", "cannot_pay"),
        ("de sakta hoon kal", "promise_to_pay"),
        ("I did not pay yet but I'll pay Monday", "promise_to_pay"),
        ("I have paid", "already_paid"),
        ("nahi nahi maine payment kar diya hai", "already_paid"),
        ("don't call me now, call me tomorrow", "callback"),
        ("don't call me again", "stop_calling"),
    ],
)
def test_negation(text, intent):
    assert understand(text, lang="en", today=SATURDAY).intent == intent


@pytest.mark.parametrize("text", ["maine payment nahi kiya", "I have not paid", "maine abhi tak paise nahi bheje"])
def test_a_payment_denied_is_not_already_paid(text):
    assert understand(text, lang="hi", today=SATURDAY).intent not in ("already_paid", "promise_to_pay")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("no, wrong number", "wrong_number"),
        ("nahi, dobara call mat karna", "stop_calling"),
        ("haan kal de dunga", "promise_to_pay"),
        ("yes I already paid", "already_paid"),
        ("wrong number, stop calling me", "wrong_number"),
    ],
)
def test_the_most_actionable_intent_wins(text, intent):
    assert understand(text, lang="hi", today=SATURDAY).intent == intent


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("call me at 5 pm", 17, 0),
        ("shaam 5 baje phone karna", 17, 0),
        ("subah 10 baje call karo", 10, 0),
        ("call me at 11", 11, 0),
        ("saadhe paanch baje call karna", 17, 30),
        ("call at 6:30 pm", 18, 30),
    ],
)
def test_times_of_day_for_callbacks(text, hour, minute):
    result = understand(text, lang="hi", today=SATURDAY)
    assert result.intent == "callback"
    assert (result.time.hour, result.time.minute) == (hour, minute)


def test_recogniser_misspellings_are_read_as_the_keyword():
    assert understand("i will do the payement tommorow", lang="en", today=SATURDAY).date == date(2026, 11, 22)
    assert understand("alredy payed", lang="en", today=SATURDAY).intent == "already_paid"
    assert understand("i transfered the amount", lang="en", today=SATURDAY).intent == "already_paid"


def test_other_languages_are_read_like_english_with_hinglish():
    result = understand("kal paanch hazaar de dunga", lang="ta", today=SATURDAY)
    assert (result.intent, result.date, result.amount) == ("promise_to_pay", date(2026, 11, 22), Decimal("5000"))


def test_a_call_takes_well_under_two_milliseconds_once_warm():
    items = _labelled()
    for item in items[:50]:
        _run(item)
    started = time.perf_counter()
    for item in items:
        _run(item)
    per_call = (time.perf_counter() - started) / len(items)
    assert per_call < 0.002, f"{per_call * 1000:.3f} ms per call"
