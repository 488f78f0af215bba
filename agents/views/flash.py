"""A service's answer as the message on the page the browser lands on next: its refusal in words, or
``success`` when it did what was asked."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from voiceassist.common.exceptions import ApplicationError


def service_flash(request: HttpRequest, run: Callable[[], Any], success: str) -> None:
    """Run ``run`` (a service call); flash ``success`` (formatted with ``result=``) or the refusal's message."""
    try:
        result = run()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(result=result))
