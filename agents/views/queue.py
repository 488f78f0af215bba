"""The work queue: the follow-ups waiting for an agent, and taking one and marking it done."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from calls.models import WorkItem
from calls.selectors import work_item_list
from calls.services.work_items import work_item_claim, work_item_complete

from ..forms import WorkItemDoneForm
from .decorators import agents_page
from .flash import service_flash


@agents_page
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "agents/queue.html", {"items": work_item_list(), "now": timezone.now()})


def _work_item_action(request: HttpRequest, pk: int, act: Callable[[WorkItem], Any], success: str) -> HttpResponse:
    item = get_object_or_404(WorkItem, pk=pk)
    service_flash(request, lambda: act(item), success)
    return redirect("work-queue")


@agents_page
@require_POST
def work_item_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _work_item_action(
        request, pk, lambda item: work_item_claim(item=item, agent=request.user), "You took “{result}”."
    )


@agents_page
@require_POST
def work_item_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = WorkItemDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _work_item_action(
        request,
        pk,
        lambda item: work_item_complete(item=item, agent=request.user, note=note),
        "Done: “{result}”.",
    )
