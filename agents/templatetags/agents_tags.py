"""Template filters of the agents' pages: how values are written, never what they mean."""

import re

from django import template
from django.utils.html import format_html

from uploads.changes import masked_id
from voiceassist.common.roles import user_is_back_office, user_may_use_agents_pages

register = template.Library()

_NOT_DIALLED = re.compile(r"[^\d+]")


@register.filter
def tel_link(phone: str, do_not_call: bool = False) -> str:
    """A phone as a tap-to-call link (``tel:+919876543210``), which a phone or a softphone dials.

    ``phone|tel_link:customer.do_not_call``: a customer on do-not-call keeps the number as plain text, so
    nobody calls them with one tap.
    """
    if not phone:
        return "—"
    if do_not_call:
        return phone
    return format_html('<a class="tel" href="tel:{}">{}</a>', _NOT_DIALLED.sub("", phone), phone)


@register.filter
def masked_national_id(last4: str) -> str:
    """The last four characters of a national id as ``•••• 9012``; the id itself is never stored."""
    return masked_id(last4) or "—"


@register.filter
def is_back_office(user) -> bool:
    return user_is_back_office(user)


@register.filter
def may_use_agents_pages(user) -> bool:
    return user_may_use_agents_pages(user)
