"""Amounts and dates as the bot says them: Indian grouping in rupees, dollars for US customers, and
dates with their weekday in the call's language ("Friday 27 November", "शुक्रवार, 27 नवंबर")."""

from datetime import date
from decimal import Decimal

from voiceassist.common.money import indian_grouping

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "hi": ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"),
}
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "hi": ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"),
}
RUPEES = {"en": "₹{}", "hi": "{} रुपये"}


def spoken_amount(amount: Decimal, *, language: str, country: str) -> str:
    """How the bot says an amount: ₹12,500 (en), 12,500 रुपये (hi); $1,250.50 for US customers."""
    if country == "US":
        text = f"{amount:,.2f}"
        return "$" + (text[:-3] if text.endswith(".00") else text)
    return RUPEES.get(language, RUPEES["en"]).format(indian_grouping(amount))


def spoken_date(day: date, *, language: str, today: date, with_weekday: bool = True) -> str:
    """The year is said only when it is not this year's (of ``today``, the customer's day)."""
    language = language if language in MONTHS else "en"
    text = f"{day.day} {MONTHS[language][day.month - 1]}"
    if day.year != today.year:
        text += f" {day.year}"
    if not with_weekday:
        return text
    weekday = WEEKDAYS[language][day.weekday()]
    return f"{weekday}, {text}" if language == "hi" else f"{weekday} {text}"
