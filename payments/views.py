"""The agents' payments actions: send a link again. Thin: the service decides."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.roles import user_may_use_agents_pages

from .models import PaymentLink, SmsStatus
from .services import sms_send_link


def agents_page(view):
    """``login_required`` (anonymous → login page), then 403 for a signed-in user who is neither an agent
    nor back office."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not user_may_use_agents_pages(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@agents_page
@require_POST
def payment_link_resend(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(PaymentLink, pk=pk)
    try:
        message = sms_send_link(link=link, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if message.status == SmsStatus.FAILED:
            messages.error(request, f"The link was not sent: {message.error}")
        else:
            messages.success(request, f"Payment link sent again to {message.to}.")
    return redirect("customer-page", pk=link.customer_id)
