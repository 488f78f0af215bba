from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from voiceassist.common.roles import user_is_back_office


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: back office in the admin, everyone else on the agents' pages."""
    if user_is_back_office(request.user):
        return redirect("admin:index")
    return render(request, "agents/home.html")
