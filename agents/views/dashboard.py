"""Where a login lands: the agents' dashboard of today's and the last days' figures, and its uploads' progress."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from calls.figures import figures_compute
from voiceassist.common.roles import user_is_back_office

from .. import selectors
from ..charts import figures_charts, hourly_bar_chart
from .decorators import agents_page

# The dashboard's figures cover the calls of the last this many days, today included.
DASHBOARD_DAYS = 14


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: back office in the admin, agents on their dashboard."""
    if user_is_back_office(request.user):
        return redirect("admin:index")
    return dashboard(request)


@agents_page
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    uploads = selectors.uploads_for_dashboard()
    today = timezone.localdate()
    period = figures_compute(date_from=today - timedelta(days=DASHBOARD_DAYS - 1), date_to=today)
    return render(
        request,
        "agents/dashboard.html",
        {
            "figures": selectors.dashboard_figures(user=request.user),
            "calls_chart": hourly_bar_chart(selectors.calls_by_hour_today(), title="Calls today by hour"),
            "promises_chart": hourly_bar_chart(selectors.promises_by_hour_today(), title="Promises today by hour"),
            "period": period,
            **figures_charts(period),
            "uploads": [selectors.upload_progress(upload=upload) for upload in uploads],
        },
    )


@agents_page
@require_GET
def dashboard_uploads(request: HttpRequest) -> JsonResponse:
    """The dashboard's progress bars poll this (agents have no access to the uploads API)."""
    uploads = selectors.uploads_for_dashboard()
    return JsonResponse({"uploads": [selectors.upload_progress(upload=upload) for upload in uploads]})
