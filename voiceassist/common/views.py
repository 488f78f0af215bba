from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .exceptions import error_body
from .health import system_health
from .selectors import login_lockout_ends_at


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = system_health()
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ a missing page answers in the API's one error shape; elsewhere, Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", message="Not found."), status=404)
    return defaults.page_not_found(request, exception)


def login_locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None):
    """The answer to a login refused by django-axes (``AXES_LOCKOUT_CALLABLE``), on the agents' and the
    admin's login pages alike: not an error page, but when to try again and what else to do."""
    username = get_client_username(request, credentials) or ""
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    now = timezone.now()
    ends_at = login_lockout_ends_at(username=username, ip_address=ip_address) or now + get_cool_off(request)
    context = {
        "username": username,
        "ends_at": ends_at,
        "failure_limit": get_failure_limit(request, credentials),
        "login_url": request.path,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(max(int((ends_at - now).total_seconds()), 1))
    return response
