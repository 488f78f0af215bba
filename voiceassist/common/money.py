"""Amounts as people read them: rupees grouped the Indian way (lakhs and crores: ₹1,00,000.00), dollars
for US customers grouped by thousands ($100,000.00). The pages and the admin write every amount with
``money_display``; the bot and the text messages group rupees with ``indian_grouping``."""

from decimal import Decimal

# The currency a customer's debts are in, by the country of their phone (``Customer.phone_country``): the
# United States and its territories owe dollars; everyone else owes the lender in rupees.
DOLLAR_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
SYMBOLS = {"INR": "₹", "USD": "$"}
EMPTY = "—"


def _grouped(whole: str, *, indian: bool) -> str:
    """Digits (no sign) with commas: by three, or the Indian way (three, then twos)."""
    head, tail = whole[:-3], whole[-3:]
    size = 2 if indian else 3
    groups = []
    while len(head) > size:
        groups.insert(0, head[-size:])
        head = head[:-size]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def indian_grouping(amount: Decimal | int) -> str:
    """50000 -> "50,000"; 1234567.5 -> "12,34,567.50" (paise only when there are some)."""
    whole, _, paise = f"{Decimal(amount):.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    text = sign + _grouped(whole.lstrip("-"), indian=True)
    return text if paise == "00" else f"{text}.{paise}"


def currency_for(*, customer=None, country: str | None = None) -> str:
    """The currency of a customer's (or a country's) debts: "USD" in the United States, else "INR"."""
    if country is None and customer is not None:
        country = getattr(customer, "phone_country", "")
    return "USD" if (country or "").upper() in DOLLAR_COUNTRIES else "INR"


def money_display(
    amount: Decimal | int | float | str | None,
    *,
    customer=None,
    country: str | None = None,
    currency: str | None = None,
) -> str:
    """An amount with its symbol and always two decimals: ₹1,00,000.00, or $100,000.00 for a US customer.

    The currency is ``currency`` when the record states it (a payment link), else the one of ``customer``'s
    (or ``country``'s) country; rupees when nothing says otherwise. ``None`` (no amount known) is "—".
    """
    if amount is None or amount == "":
        return EMPTY
    code = (currency or currency_for(customer=customer, country=country)).upper()
    rounded = f"{Decimal(str(amount)):.2f}"
    whole, _, cents = rounded.partition(".")
    sign = "-" if Decimal(rounded) < 0 else ""  # never "-₹0.00"
    digits = _grouped(whole.lstrip("-"), indian=code == "INR")
    symbol = SYMBOLS.get(code)
    if symbol is None:  # a currency we have no symbol for: its code after the amount
        return f"{sign}{digits}.{cents} {code}"
    return f"{sign}{symbol}{digits}.{cents}"
