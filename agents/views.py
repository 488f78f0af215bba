"""The agents' pages. Thin: reads through selectors, writes through the services admin and API use."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.compliance import guard_explain
from calls.figures import figures_compute
from calls.models import Call, WorkItem
from calls.selectors import customer_calls
from calls.selectors_transcripts import call_conversations
from calls.services.agents import call_outcome_log, callback_schedule, work_item_claim, work_item_complete
from calls.services.promises import promise_create
from calls.services.recordings import recording_open
from customers.models import Customer, SuppressionSource
from customers.selectors import suppression_list
from customers.services import suppression_set_for
from uploads.forms import ColumnMappingForm, UploadForm
from uploads.models import FileUpload, RowOutcome
from uploads.selectors import OUTCOME_TABS, upload_entries, upload_failed_rows_download, upload_outcome_tabs
from uploads.services import upload_columns_map, upload_confirm, upload_create, upload_revert_request
from uploads.services.columns import upload_mapping_offer
from uploads.services.conflicts import name_conflicts_pending, name_conflicts_resolve
from uploads.services.intake import QueueUnavailable
from uploads.services.revert import upload_may_be_reverted
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.money import money_display
from voiceassist.common.roles import user_is_back_office

from . import selectors
from .access import user_may_use_agents_pages
from .charts import figures_charts, hourly_bar_chart
from .forms import (
    CallbackForm,
    CallOutcomeForm,
    CustomerForm,
    PromiseForm,
    SearchForm,
    SuppressionForm,
    WorkItemDoneForm,
)

# The dashboard's figures cover the calls of the last this many days, today included.
DASHBOARD_DAYS = 14
# An upload's page lists its rows this many at a time.
UPLOAD_ROWS_PER_PAGE = 50
TIMELINE_ENTRIES = 100
CUSTOMER_CALLS = 50


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


# --- Dashboard ----------------------------------------------------------------------------------


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


# --- Work queue ---------------------------------------------------------------------------------


@agents_page
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "agents/queue.html", {"items": selectors.work_queue(), "now": timezone.now()})


def _work_item_action(request: HttpRequest, pk: int, act: Callable[[WorkItem], Any], success: str) -> HttpResponse:
    item = get_object_or_404(WorkItem, pk=pk)
    try:
        act(item)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(item=item))
    return redirect("work-queue")


@agents_page
@require_POST
def work_item_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _work_item_action(
        request, pk, lambda item: work_item_claim(item=item, agent=request.user), "You took “{item}”."
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
        "Done: “{item}”.",
    )


# --- Search -------------------------------------------------------------------------------------


@agents_page
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.customer_search(query=query) if query else []
    if len(results) == 1:
        return redirect("customer-page", pk=results[0].pk)
    return render(
        request,
        "agents/search.html",
        {"form": form, "query": query, "results": results, "limit": selectors.SEARCH_LIMIT},
    )


# --- Customer page ------------------------------------------------------------------------------


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


# --- Call recordings ----------------------------------------------------------------------------


@agents_page
@require_GET
def call_recording(request: HttpRequest, pk: int) -> HttpResponse:
    """The call's recording, fetched from its provider here: the browser sees neither the provider's URL
    nor its credentials. Nothing to play answers 404, a provider that cannot be asked 502, in words."""
    call = get_object_or_404(Call.objects.only("id", "provider", "recording_url", "recording_deleted_at"), pk=pk)
    try:
        audio = recording_open(call=call)
    except ApplicationError as exc:
        status = 502 if exc.code == "recording_unreachable" else 404
        return HttpResponse(exc.message, status=status, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(audio.chunks, content_type=audio.content_type)
    if audio.size is not None:
        response["Content-Length"] = str(audio.size)
    response["Content-Disposition"] = f'inline; filename="call-{call.pk}-recording"'
    # A customer's voice: kept by no cache, the browser's included.
    response["Cache-Control"] = "private, no-store"
    return response


# --- Uploads (back office) ----------------------------------------------------------------------

# Back office may do both; the permissions say so, as the API and the admin's entries ask for them.
REVERT_PERMISSION = "uploads.delete_fileupload"
# Renaming a customer on a file's word takes changing customers.
NAME_CONFLICT_PERMISSION = "customers.change_customer"
UPLOAD_SEARCH_MAX_LENGTH = 64
# Row numbers decided at once by ticking them (a page shows 50).
NAME_CONFLICT_ROWS_MAX = 1000


@back_office_page
def upload_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = upload_create(
                file=file,
                original_name=file.name,
                uploaded_by=request.user,
                mode=form.cleaned_data["mode"],
                dry_run=form.cleaned_data["dry_run"],
                stop_on_error=form.cleaned_data["stop_on_error"],
                profile=form.cleaned_data["profile"],
            )
        except QueueUnavailable as exc:  # stored, and will be processed: show it, with why it waits
            messages.warning(request, exc.message)
            return redirect("upload-page", pk=exc.details["upload_id"])
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            if upload.identical_to_id:
                messages.warning(request, f"{upload.identical_warning} Confirm to import it again.")
            else:
                messages.success(request, f"Upload #{upload.pk} is queued.")
            return redirect("upload-page", pk=upload.pk)
    return render(request, "agents/upload_new.html", {"form": form})


def _upload_or_404(pk: int) -> FileUpload:
    try:
        return selectors.upload_get(upload_id=pk)
    except FileUpload.DoesNotExist as exc:
        raise Http404("No such upload.") from exc


@back_office_page
@require_http_methods(["GET", "POST"])
def upload_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The upload: what it did, its rows by outcome (``?outcome=invalid&page=2``, ``?q=`` a phone or a loan id),
    what may be done with it, and (when its columns need choosing) the column mapping form, which posts here."""
    upload = _upload_or_404(pk)
    offer = upload_mapping_offer(upload)
    mapping_form = None
    if offer is not None:
        mapping_form = ColumnMappingForm(
            request.POST if request.method == "POST" else None, headers=list(offer), initial_columns=offer
        )
    if request.method == "POST":
        if mapping_form is None:
            status = upload.get_status_display().lower()
            messages.error(request, f"Upload #{upload.pk} is {status}: there are no columns to choose.")
            return redirect("upload-page", pk=upload.pk)
        if mapping_form.is_valid():
            try:
                upload_columns_map(
                    upload=upload,
                    columns=mapping_form.columns(),
                    save_as=mapping_form.cleaned_data["save_as"],
                    actor=request.user,
                )
            except QueueUnavailable as exc:  # the mapping is kept, and the upload will be processed
                messages.warning(request, exc.message)
                return redirect("upload-page", pk=upload.pk)
            except ApplicationError as exc:
                mapping_form.add_error(None, exc.message)
            else:
                messages.success(request, "Columns chosen: the file is read again with them.")
                return redirect("upload-page", pk=upload.pk)
    outcome = request.GET.get("outcome") if request.GET.get("outcome") in OUTCOME_TABS else None
    search = " ".join(request.GET.get("q", "").split())[:UPLOAD_SEARCH_MAX_LENGTH]
    entries = upload_entries(upload=upload, outcome=outcome, search=search).select_related("resolved_by")
    may_decide = request.user.has_perm(NAME_CONFLICT_PERMISSION)
    return render(
        request,
        "agents/upload.html",
        {
            "upload": upload,
            "tabs": upload_outcome_tabs(upload=upload, search=search),
            "outcome": outcome,
            "search": search,
            "rows": Paginator(entries, UPLOAD_ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "mapping_form": mapping_form,
            "can_revert": upload_may_be_reverted(upload) and request.user.has_perm(REVERT_PERMISSION),
            "held_conflicts": name_conflicts_pending(upload_id=upload.pk).count() if may_decide else 0,
            **selectors.upload_state(upload=upload),
        },
    )


@back_office_page
@require_GET
def upload_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors.upload_progress(upload=_upload_or_404(pk)))


@back_office_page
@require_POST
def upload_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload_or_404(pk)
    try:
        upload_confirm(upload=upload, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Confirmed: the import is queued.")
    return redirect("upload-page", pk=upload.pk)


@back_office_page
@require_POST
def upload_revert_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(REVERT_PERMISSION):
        raise PermissionDenied
    upload = _upload_or_404(pk)
    try:
        upload_revert_request(upload=upload, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The revert is queued; this page shows its report.")
    return redirect("upload-page", pk=upload.pk)


@back_office_page
@require_POST
def upload_name_conflicts_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (rename the customer and apply the row) or reject the upload's held name conflicts: the rows
    ticked (``rows``), or every one still held (``scope=all``)."""
    if not request.user.has_perm(NAME_CONFLICT_PERMISSION):
        raise PermissionDenied
    upload = _upload_or_404(pk)
    decision = request.POST.get("decision")
    ticked = request.POST.getlist("rows")[:NAME_CONFLICT_ROWS_MAX]
    rows = [int(row) for row in ticked if row.isdigit() and len(row) < 10]
    held = name_conflicts_pending(upload_id=upload.pk)
    if decision not in ("accept", "reject"):
        messages.error(request, "Choose to accept or to reject the name conflicts.")
    elif not rows and request.POST.get("scope") != "all":
        messages.error(request, "Tick the rows to decide first.")
    else:
        try:
            decided = name_conflicts_resolve(
                entries=held if not rows else held.filter(row_number__in=rows),
                accept=decision == "accept",
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            accepted = "accepted (customers renamed, rows applied)"
            verb = accepted if decision == "accept" else "rejected (nothing changed)"
            messages.success(request, f"{decided} held name conflict(s) {verb}.")
    return redirect(f"{reverse('upload-page', args=[upload.pk])}?outcome={RowOutcome.NAME_CONFLICT}")


@back_office_page
@require_GET
def upload_failed_rows(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    return upload_failed_rows_download(upload=_upload_or_404(pk))
