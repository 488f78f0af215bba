"""Template filters of upload pages: an entry's changes (``change_lines``) and an upload's numbers in words."""

from django import template

from uploads.changes import change_lines

register = template.Library()

register.filter("change_lines", change_lines)

_NUMBER_WORDS = {
    "landline": ("landline", "landlines"),
    "mobile_or_landline": (
        "number that cannot tell mobile from landline",
        "numbers that cannot tell mobile from landline",
    ),
    "other": ("number in another range (toll-free, VoIP)", "numbers in other ranges (toll-free, VoIP)"),
    "outside_countries": ("number outside {countries}", "numbers outside {countries}"),
}


def _rows_words(rows: list[int], count: int) -> str:
    listed = ", ".join(str(number) for number in rows)
    more = f" and {count - len(rows)} more" if count > len(rows) else ""
    return f"row{'s' if count != 1 else ''} {listed}{more}"


@register.filter
def number_lines(numbers: dict) -> list[str]:
    """An upload's ``report["numbers"]`` in words: "2 landlines (rows 3, 4)", "1 number outside IN, US (row 4)"."""
    counts = (numbers or {}).get("counts", {})
    countries = ", ".join(numbers.get("countries", [])) if numbers else ""
    lines = []
    for kind, (one, many) in _NUMBER_WORDS.items():
        count = counts.get(kind)
        if count:
            words = (one if count == 1 else many).format(countries=countries)
            lines.append(f"{count:,} {words} ({_rows_words(numbers.get('rows', {}).get(kind, []), count)})")
    return lines
