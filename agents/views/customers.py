"""A customer's page (loans, calls, promises, timeline) and what an agent does there: log a call, take a
promise, schedule a callback, stop the calls."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from calls.compliance import guard_explain
from calls.selectors import customer_calls
from calls.selectors_transcripts import call_conversations
from calls.services.outcomes import call_outcome_log
from calls.services.promises import promise_create
from calls.services.work_items import callback_schedule
from customers.models import Customer, SuppressionSource
from customers.selectors import suppression_list
from customers.suppressions import suppression_set_for
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.money import money_display
from voiceassist.common.roles import user_is_back_office

from .. import selectors
from ..forms import CallbackForm, CallOutcomeForm, CustomerForm, PromiseForm, SuppressionForm
from .decorators import agents_page

TIMELINE_ENTRIES = 100
CUSTOMER_CALLS = 50


def _customer_or_404(pk: int) -> Customer:
    try:
        return selectors.customer_get(customer_id=pk)
    except Customer.DoesNotExist as exc:
        raise Http404("No such customer.") from exc


def _customer_page(request: HttpRequest, customer: Customer, **bound: CustomerForm) -> HttpResponse:
    forms = {
        "outcome_form": CallOutcomeForm(customer=customer),
        "promise_form": PromiseForm(customer=customer),
        "callback_form": CallbackForm(customer=customer),
        "suppress_form": SuppressionForm(customer=customer, back_office=user_is_back_office(request.user)),
        **bound,
    }
    calls = list(customer_calls(customer_id=customer.pk)[:CUSTOMER_CALLS])
    conversations = call_conversations(call_ids=[call.pk for call in calls])
    return render(
        request,
        "agents/customer.html",
        {
            "customer": customer,
            # A refused form's errors, summed up at the top of the page the browser lands on.
            "error_forms": [form for form in bound.values() if form.errors],
            "loans": customer.loans.all(),
            "timeline": selectors.customer_timeline(
                customer=customer, show_all=request.GET.get("entries") == "all", limit=TIMELINE_ENTRIES
            ),
            "calls": [(call, conversations.get(call.pk, [])) for call in calls],
            "recording_retention_days": settings.VOICE_RECORDING_RETENTION_DAYS,
            "promises": selectors.customer_promises(customer=customer),
            "open_work": selectors.customer_open_work(customer=customer),
            "suppressions": suppression_list(customer_id=customer.pk, active=True),
            "call_checks": guard_explain(customer=customer),
            **forms,
        },
    )


@agents_page
@require_GET
def customer_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_page(request, _customer_or_404(pk))


def _customer_action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[CustomerForm],
    form_name: str,
    act: Callable[[Customer, dict], Any],
    success: Callable[[Any], str],
    form_kwargs: dict | None = None,
) -> HttpResponse:
    """Validate the form, call the service, redirect with a message; else the page again with the errors."""
    customer = _customer_or_404(pk)
    form = form_class(request.POST, customer=customer, **(form_kwargs or {}))
    if form.is_valid():
        try:
            result = act(customer, form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, success(result))
            return redirect("customer-page", pk=customer.pk)
    return _customer_page(request, customer, **{form_name: form})


@agents_page
@require_POST
def customer_call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_action(
        request,
        pk,
        form_class=CallOutcomeForm,
        form_name="outcome_form",
        act=lambda customer, data: call_outcome_log(
            customer=customer,
            loan=data["loan"],
            disposition_code=data["disposition"],
            actor=request.user,
            note=data["note"],
        ),
        success=lambda call: f"Call logged: {call.disposition.label}.",
    )


@agents_page
@require_POST
def customer_promise(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_action(
        request,
        pk,
        form_class=PromiseForm,
        form_name="promise_form",
        act=lambda customer, data: promise_create(
            loan=data["loan"], amount=data["amount"], promised_date=data["promised_date"], actor=request.user
        ),
        success=lambda promise: (
            f"Promise recorded: {money_display(promise.amount, customer=promise.customer)} on loan {promise.loan}"
            f" by {promise.promised_date:%-d %b %Y}."
        ),
    )


@agents_page
@require_POST
def customer_callback(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_action(
        request,
        pk,
        form_class=CallbackForm,
        form_name="callback_form",
        act=lambda customer, data: callback_schedule(
            customer=customer, loan=data["loan"], at=data["at"], actor=request.user, note=data["note"]
        ),
        success=lambda item: (
            f"Callback scheduled for {timezone.localtime(item.due_at):%-d %b %Y, %H:%M}; it is in the queue."
        ),
    )


@agents_page
@require_POST
def customer_suppress(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_action(
        request,
        pk,
        form_class=SuppressionForm,
        form_name="suppress_form",
        form_kwargs={"back_office": user_is_back_office(request.user)},
        act=lambda customer, data: suppression_set_for(
            customer=customer,
            kind=data["kind"],
            loan=data["loan"],
            reason=data["reason"],
            source=SuppressionSource.AGENT,
            actor=request.user,
        ),
        success=lambda suppression: f"Calls stopped: {suppression}. Only back office can lift this.",
    )
