from django import template

register = template.Library()

HIDDEN = {"national_id_fingerprint"}


@register.filter
def change_lines(changes: dict) -> list[str]:
    """``{"amount": ["50000.00", "42000.00"]}`` as ``["amount: 50000.00 → 42000.00"]``."""
    lines = []
    for column, (old, new) in (changes or {}).items():
        if column in HIDDEN:
            continue
        lines.append(f"{column}: {new}" if old in (None, "", []) else f"{column}: {old} → {new}")
    return lines


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
