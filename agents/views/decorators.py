"""Who may open a page: the agents' pages and the back office's, each behind the login."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from voiceassist.common.roles import user_is_back_office, user_may_use_agents_pages


def _role_required(allowed: Callable[[Any], bool]):
    """``login_required`` (anonymous → login page), then 403 for a signed-in user without the role."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


agents_page = _role_required(user_may_use_agents_pages)
back_office_page = _role_required(user_is_back_office)
