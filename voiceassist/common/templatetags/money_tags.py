"""``{{ amount|money }}``: amounts in pages as ``money_display`` writes them (₹1,00,000.00, $100,000.00)."""

from django import template

from voiceassist.common.money import money_display

register = template.Library()


@register.filter
def money(amount, whose=None) -> str:
    """``amount|money`` in rupees; ``amount|money:customer`` in the customer's currency; ``amount|money:"US"``
    for a country; ``amount|money:link.currency`` when the record states its currency ("INR", "USD")."""
    if isinstance(whose, str):
        if len(whose) == 3:
            return money_display(amount, currency=whose)
        return money_display(amount, country=whose)
    return money_display(amount, customer=whose)
