from django import template

from payments.selectors import customer_open_links

register = template.Library()


@register.simple_tag
def open_payment_links(customer):
    """The customer's links that can still be paid, each with its text messages (newest first)."""
    return customer_open_links(customer=customer)
