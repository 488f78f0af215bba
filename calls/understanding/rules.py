"""The rules backend: normalise, read numbers, times and dates, then the intent. No I/O, no state."""

from datetime import date

from calls.understanding import dates, intents, normalise, numbers, times
from calls.understanding.result import Understanding


def understand_with_rules(text: str, *, today: date) -> Understanding:
    words = normalise.tokens(text)
    spans = numbers.number_spans(words)
    said_time, time_used = times.time_from(words, spans)
    date_spans = [span for span in spans if span.start not in time_used]
    said_date, date_used = dates.date_from(words, date_spans, today, past=False)
    amount = numbers.amount_from(spans, date_used | time_used)
    guess = intents.classify(words, has_date=said_date is not None, has_amount=amount is not None)
    if guess.past:
        said_date, _ = dates.date_from(words, date_spans, today, past=True)
    return Understanding(
        intent=guess.intent,
        date=said_date,
        amount=amount,
        time=said_time,
        confidence=guess.confidence,
        backend="rules",
    )
