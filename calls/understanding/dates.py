"""The date a caller said, relative to the day of the call.

Rules, in the order they are tried (the first that matches wins):

- ISO ("2026-11-27") and day-first numeric dates ("27/11", "27-11-2026", "27.11.26");
- a day and a month name either way round, maybe a year ("27 November", "Nov 27 2026", "5 दिसंबर");
- "next month 5th" / "agle mahine 5 tarikh": that day of next month;
- a day of the month alone ("30 tarikh", "5th", "fifth"): this month, or next month when it has passed
  (said in the past tense: this month, or last month when it is still to come);
- end / start of the month ("mahine ke end tak", "month end", "agle mahine ki shuruaat");
- spans from today ("within three days", "teen din mein", "do hafte mein", "ek mahine mein");
- today / tomorrow / day after tomorrow and yesterday; "kal" and "parso" are read by tense:
  "kal kar dunga" is tomorrow, "kal kar diya" is yesterday;
- weekdays: "Friday" and "this Friday" are the coming one (strictly after today); "next Friday" is that
  weekday in next calendar week (Monday to Sunday); said in the past tense, or with "last", the latest
  one before today.

A date without a year that has passed this year means next year (this year in the past tense).
"""

import calendar
import re
from datetime import date, timedelta

from calls.understanding import lexicon
from calls.understanding.numbers import NumberSpan

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")
_NEXT = frozenset({"next", "agle", "coming", "aane"})
_LAST = frozenset({"last", "pichle", "previous"})
_DAY_MARKERS = frozenset({"tarikh", "th", "date"})
_ORDINAL_LEAD = frozenset({"the", "on", "by", "till", "until", "before", "of", "from", "tak", "ko"})
_SPAN_LEAD = frozenset({"in", "within", "mein", "main", "me", "andar", "tak", "baad", "after", "next", "agle"})
# Days from today; "kal" and "parso" count backwards in the past tense.
_RELATIVE_DAYS = {"aaj": 0, "today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "kal": 1, "parso": 2}
_SPAN_UNITS = {
    "din": "days",
    "days": "days",
    "day": "days",
    "hafte": "weeks",
    "week": "weeks",
    "mahine": "months",
    "month": "months",
}


def _add_months(day: date, months: int, *, day_of_month: int | None = None) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day_of_month or day.day, last))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _without_year(today: date, month: int, day: int, past: bool) -> date | None:
    candidate = _safe_date(today.year, month, day)
    if candidate is None:
        return None
    if past and candidate > today:
        return _safe_date(today.year - 1, month, day)
    if not past and candidate < today:
        return _safe_date(today.year + 1, month, day)
    return candidate


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


def _day_of_month(today: date, day: int, past: bool) -> date | None:
    """A day of the month alone: this month unless it has passed (future) or is still to come (past)."""
    if not 1 <= day <= 31:
        return None
    months = (0 if day <= today.day else -1) if past else (0 if day >= today.day else 1)
    target = _add_months(today.replace(day=1), months)
    last = calendar.monthrange(target.year, target.month)[1]
    return target.replace(day=min(day, last))


def _weekday(today: date, weekday: int, *, past: bool, next_week: bool) -> date:
    if past:
        back = (today.weekday() - weekday) % 7 or 7
        return today - timedelta(days=back)
    ahead = (weekday - today.weekday()) % 7 or 7
    coming = today + timedelta(days=ahead)
    if next_week:
        next_monday = today + timedelta(days=7 - today.weekday())
        while coming < next_monday:
            coming += timedelta(days=7)
    return coming


class _Reader:
    """Reads one utterance's tokens; ``used`` collects the indices of number spans a date took."""

    def __init__(self, tokens: list[str], spans: list[NumberSpan], today: date, past: bool) -> None:
        self.tokens = tokens
        self.spans = {span.start: span for span in spans}
        self.today = today
        self.past = past
        self.used: set[int] = set()

    def token(self, index: int) -> str:
        return self.tokens[index] if 0 <= index < len(self.tokens) else ""

    def near(self, index: int, words: frozenset[str] | set[str], window: int = 3) -> bool:
        return any(self.token(i) in words for i in range(index - window, index + window + 1) if i != index)

    def day_number(self, index: int) -> tuple[int, int] | None:
        """A day of the month at ``index``: (day, index after it), from digits, number words or ordinals."""
        token = self.token(index)
        if token in lexicon.ENGLISH_ORDINALS:
            tens = {"twenty": 20, "thirty": 30}.get(self.token(index - 1), 0)
            return tens + lexicon.ENGLISH_ORDINALS[token], index + 1
        span = self.spans.get(index)
        if span is not None and not span.has_multiplier and span.value == int(span.value) and 1 <= span.value <= 31:
            end = span.end
            if self.token(end) in lexicon.ENGLISH_ORDINALS and span.value in (20, 30):
                return int(span.value) + lexicon.ENGLISH_ORDINALS[self.token(end)], end + 1
            return int(span.value), end
        return None

    def read(self) -> date | None:
        for method in (
            self.numeric,
            self.day_and_month,
            self.next_month_day,
            self.marked_day,
            self.month_edge,
            self.span_from_today,
            self.relative_day,
            self.weekday,
        ):
            found = method()
            if found is not None:
                return found
        return None

    def numeric(self) -> date | None:
        for token in self.tokens:
            if match := _ISO.match(token):
                return _safe_date(int(match[1]), int(match[2]), int(match[3]))
            if (match := _DAY_FIRST.match(token)) and (token.count(".") != 1):
                day, month = int(match[1]), int(match[2])
                if match[3]:
                    return _safe_date(_year(match[3]), month, day)
                return _without_year(self.today, month, day, self.past) if 1 <= month <= 12 else None
        return None

    def day_and_month(self) -> date | None:
        for index, token in enumerate(self.tokens):
            if token not in lexicon.MONTHS:
                continue
            month = lexicon.MONTHS.index(token) + 1
            found = None
            # "27 November", "27th of November", "27 tarikh November"
            for start in (index - 1, index - 2, index - 3):
                day = self.day_number(start)
                if day and day[1] in (index, index - 1) or day and self.token(day[1]) in _DAY_MARKERS | {"of"}:
                    found, after = day[0], index + 1
                    self.used.add(start)
                    break
            if found is None and (day := self.day_number(index + 1)):
                found, after = day[0], day[1]
                self.used.add(index + 1)
            if found is None:
                continue
            if self.token(after) == "th":
                after += 1
            year_span = self.spans.get(after)
            if year_span is not None and 1990 <= year_span.value <= 2100:
                self.used.add(after)
                return _safe_date(int(year_span.value), month, found)
            return _without_year(self.today, month, found, self.past)
        return None

    def next_month_day(self) -> date | None:
        for index, token in enumerate(self.tokens):
            if token not in ("mahine", "month") or self.token(index - 1) not in _NEXT | {"is", "this", "yeh"}:
                continue
            months = 0 if self.token(index - 1) in ("is", "this", "yeh") else 1
            for start in range(max(0, index - 4), min(len(self.tokens), index + 6)):
                day = self.day_number(start)
                if day is None or start in (index - 1, index):
                    continue
                after = self.token(day[1])
                if after in _SPAN_UNITS:
                    continue
                self.used.add(start)
                return _add_months(self.today.replace(day=1), months, day_of_month=day[0])
        return None

    def marked_day(self) -> date | None:
        for index in range(len(self.tokens)):
            day = self.day_number(index)
            if day is None:
                continue
            if self.token(index) in lexicon.ENGLISH_ORDINALS:
                # "first", "second" are everyday words: a date only after "on the", "by", ... or before "of"
                start = index - 1 if self.token(index - 1) in ("twenty", "thirty") else index
                if self.token(start - 1) not in _ORDINAL_LEAD and self.token(index + 1) not in _DAY_MARKERS | {"of"}:
                    continue
                self.used.add(index)
                return _day_of_month(self.today, day[0], self.past)
            if self.token(day[1]) in _DAY_MARKERS:
                self.used.add(index)
                return _day_of_month(self.today, day[0], self.past)
        return None

    def month_edge(self) -> date | None:
        text = " ".join(self.tokens)
        months = 1 if re.search(r"\b(next|agle|coming) (mahine|month)\b", text) else 0
        if months == 0 and re.search(r"\b(last|pichle) (mahine|month)\b", text):
            months = -1
        if (
            re.search(r"\b(end|aakhir|last)\b", text)
            and re.search(r"\b(mahine|month)\b", text)
            and not re.search(r"\b(last|pichle) (mahine|month)\b", text)
        ):
            target = _add_months(self.today.replace(day=1), months)
            return target.replace(day=calendar.monthrange(target.year, target.month)[1])
        if re.search(r"\b(shuru|start|starting|beginning)\b", text) and months == 1:
            return _add_months(self.today.replace(day=1), 1)
        return None

    def span_from_today(self) -> date | None:
        for index, token in enumerate(self.tokens):
            unit = _SPAN_UNITS.get(token)
            if unit is None:
                continue
            previous = self.token(index - 1)
            if previous in _NEXT | _LAST | {"is", "this", "yeh", "har", "every", "per"}:
                continue
            count = None
            span = next((s for s in self.spans.values() if s.end == index), None)
            if span is not None:
                count = span.value
            elif previous in ("a", "one", "ek"):
                count = 1
            if count is None or count <= 0 or count > 400:
                continue
            # "teen din mein", "within 3 days", "2 hafte baad": a span said as a deadline, not "for three months"
            start = span.start if span is not None else index - 1
            if (
                self.token(start - 1) not in _SPAN_LEAD
                and self.token(start - 2) not in _SPAN_LEAD
                and self.token(index + 1) not in _SPAN_LEAD
            ):
                continue
            if span is not None:
                self.used.add(span.start)
            if unit == "days":
                return self.today + timedelta(days=int(count))
            if unit == "weeks":
                return self.today + timedelta(days=int(count * 7))
            return _add_months(self.today, int(count))
        return None

    def relative_day(self) -> date | None:
        text = " ".join(self.tokens)
        if re.search(r"\bday after tomorrow\b", text):
            return self.today + timedelta(days=2)
        if self.past and re.search(r"\bday before yesterday\b", text):
            return self.today - timedelta(days=2)
        # The last one said wins: "kal nahi, parso dunga" means the day after tomorrow.
        for word in reversed(self.tokens):
            offset = _RELATIVE_DAYS.get(word)
            if offset is None or word == "yesterday" and not self.past:
                continue
            if word in ("kal", "parso") and self.past:
                offset = -offset
            return self.today + timedelta(days=offset)
        return None

    def weekday(self) -> date | None:
        for index, token in enumerate(self.tokens):
            if token not in lexicon.WEEKDAYS:
                continue
            previous = self.token(index - 1)
            past = self.past or previous in _LAST
            return _weekday(
                self.today, lexicon.WEEKDAYS.index(token), past=past, next_week=previous in _NEXT and not past
            )
        return None


def date_from(tokens: list[str], spans: list[NumberSpan], today: date, *, past: bool) -> tuple[date | None, set[int]]:
    """The date said, if any, and the start indices of the number spans it used (so they are not money)."""
    reader = _Reader(tokens, spans, today, past)
    found = reader.read()
    # Number spans that are plainly dates or counts are never money, even when no date was made of them.
    for span in spans:
        if span.has_multiplier or span.currency:
            continue
        after = reader.token(span.end)
        # ("12500 day after tomorrow": a count of days is small; a figure in the thousands is money.)
        counted = after in _SPAN_UNITS and span.value <= 400
        if after in _DAY_MARKERS or counted or reader.token(span.start - 1) in lexicon.MONTHS:
            reader.used.add(span.start)
        if after in lexicon.MONTHS or (1990 <= span.value <= 2100 and reader.token(span.start - 1).isdigit()):
            reader.used.add(span.start)
    return found, reader.used
