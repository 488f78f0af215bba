"""How the admin and the pages write and read dates and numbers: the Indian way (``LANGUAGE_CODE = "en-in"``).

Day first (6 Dec 2026, 06/12/2026), a 24-hour clock, weeks from Monday, and digits grouped in lakhs and crores
(1,00,000). Django's own English formats are American (month first), which a clerk in India misreads.
Amounts of money have their own helper, ``voiceassist.common.money``, which also knows the currency.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# Dates typed into forms: ISO as a browser's date picker sends it (first, as exports write dates in the first
# format), then day first as people in India write them (31/12/2026, 31-12-2026, 31 Dec 2026).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    f"{day} {time}" for day in DATE_INPUT_FORMATS for time in ("%H:%M:%S", "%H:%M:%S.%f", "%H:%M")
] + ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = (3, 2, 0)  # 1,00,00,000
