"""How a campaign's audience reads in the back office: its size today, whom the guard would hold back, and who
is left out of it."""

from django.utils.html import format_html, format_html_join

from customers.models import Language

from ..services.audience import AudiencePreview

# Reasons other than a language a customer is left out of a campaign for (``campaign_left_out``).
_LEFT_OUT_FOR_NUMBER = {
    "landline": "their phone is a landline and this campaign does not call landlines",
    "outside_countries": "their phone is outside the countries this campaign calls",
}


def _customers(count: int) -> str:
    return f"{count:,} customer{'s' if count != 1 else ''}"


def left_out_words(left_out: dict[str, int]) -> str:
    """``{"mr": 7, "ta": 5, "landline": 2}`` as "12 customers (Marathi 7, Tamil 5): the bot has no script in their
    language; 2 customers: their phone is a landline and this campaign does not call landlines"."""
    by_number = [f"{_customers(left_out[k])}: {words}" for k, words in _LEFT_OUT_FOR_NUMBER.items() if left_out.get(k)]
    languages = {code: count for code, count in left_out.items() if code not in _LEFT_OUT_FOR_NUMBER}
    counts = sorted(((count, code) for code, count in languages.items() if count), key=lambda item: (-item[0], item[1]))
    parts = []
    if counts:
        total = sum(count for count, _ in counts)
        names = ", ".join(
            f"{Language(code).label if code in Language.values else code or 'no language'} {count}"
            for count, code in counts
        )
        parts.append(f"{_customers(total)} ({names}): the bot has no script in their language")
    if not parts and not by_number:
        return "None: the bot speaks the language of every customer in the audience."
    return "; ".join([*parts, *by_number])


def audience_preview_html(preview: AudiencePreview) -> str:
    """The preview in words: the audience's size, then whom the guard would hold back today, by reason."""
    if not preview.loans:
        return format_html('<div class="audience-preview">{}</div>', "No active loan matches the audience now.")
    size = format_html(
        "{} loan{} of {} (one call each).",
        f"{preview.loans:,}",
        "" if preview.loans == 1 else "s",
        _customers(preview.customers),
    )
    if not preview.judged_customers:
        return format_html('<div class="audience-preview">{}</div>', size)
    of_whom = (
        format_html(
            "Of the first {} loans ({}), judged so that this page stays quick,",
            f"{preview.judged_loans:,}",
            _customers(preview.judged_customers),
        )
        if preview.capped
        else "Of them,"
    )
    if not preview.held_back:
        verdict = format_html(
            "{} the compliance guard would let the bot call every one today (within their calling hours).", of_whom
        )
        return format_html('<div class="audience-preview">{} {}</div>', size, verdict)
    held = sum(preview.held_back.values())
    reasons = format_html_join(
        "",
        "<li><strong>{}</strong>: {} <span class='note'>(e.g. “{}”)</span></li>",
        ((code, _customers(count), preview.example[code]) for code, count in preview.held_back.items()),
    )
    return format_html(
        '<div class="audience-preview">{} {} the compliance guard would hold back {} for all of today:<ul>{}</ul>'
        "</div>",
        size,
        of_whom,
        _customers(held),
        reasons,
    )
