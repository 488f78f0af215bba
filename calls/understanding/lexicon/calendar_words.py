"""The months and weekdays in order, by their canonical words: a month's number is its index + 1, a weekday's
index is Python's ``date.weekday()``."""

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
