"""One exception type for business errors and one JSON shape for every API error.

Every error the API returns looks like::

    {"error": {"code": "invalid_phone", "message": "…", "details": {…}}}

whether it came from a service (``ApplicationError``), DRF validation, authentication or a 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule said no. ``message`` is written for the person who made the request."""

    code = "application_error"
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


def error_body(*, code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def drf_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(code=exc.code, message=exc.message, details=exc.details),
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        exc = _throttled_instead(context) or exc

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = error_body(
            code="invalid", message="Some of the values sent are not valid.", details=response.data
        )
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(code=str(code), message=str(detail))
    return response


def _throttled_instead(context: dict) -> drf_exceptions.Throttled | None:
    """Count a refused anonymous request against the client's throttles, and say so once over the limit.

    DRF checks throttles only after authentication and permissions, so a request without credentials, or with
    a wrong token, is refused before it is ever counted: unthrottled, a client could guess tokens or poll
    without limit. Here it is counted like any other request from its address.
    """
    view, request = context.get("view"), context.get("request")
    if view is None or request is None:
        return None
    try:
        view.check_throttles(request)
    except drf_exceptions.Throttled as throttled:
        return throttled
    return None
