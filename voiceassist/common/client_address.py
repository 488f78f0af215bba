"""The address a request came from: one rule for login lockouts and API throttles."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the address the outermost one saw.

    A client can write anything into X-Forwarded-For, so only the entries our own proxies appended (the last
    ones) are believed; with no proxy configured the header is ignored. DRF's throttles apply the same rule
    (``NUM_PROXIES``).
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not proxies or not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
