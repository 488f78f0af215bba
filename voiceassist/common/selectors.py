"""Reads shared by every app."""

from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max


def login_lockout_ends_at(*, username: str, ip_address: str | None) -> datetime | None:
    """When logging in as ``username`` from ``ip_address`` is allowed again, if django-axes holds a lock:
    the lock runs from the last failure it counted (tries during a lock are not counted)."""
    last_failure = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return last_failure + get_cool_off() if last_failure else None
