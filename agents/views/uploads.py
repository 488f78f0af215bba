"""The back office's upload pages: send a file, follow it, choose its columns, confirm, revert, decide its
name conflicts and download its failed rows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from uploads.forms import ColumnMappingForm, UploadForm
from uploads.models import FileUpload, RowOutcome
from uploads.selectors import OUTCOME_TABS, upload_entries, upload_failed_rows_download, upload_outcome_tabs
from uploads.services import upload_columns_map, upload_confirm, upload_create, upload_revert_request
from uploads.services.columns import upload_mapping_offer
from uploads.services.conflicts import name_conflicts_pending, name_conflicts_resolve
from uploads.services.intake import QueueUnavailable
from uploads.services.revert import upload_may_be_reverted
from voiceassist.common.exceptions import ApplicationError

from .. import selectors
from .decorators import back_office_page
from .flash import service_flash

# An upload's page lists its rows this many at a time.
UPLOAD_ROWS_PER_PAGE = 50
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
    service_flash(
        request, lambda: upload_confirm(upload=upload, actor=request.user), "Confirmed: the import is queued."
    )
    return redirect("upload-page", pk=upload.pk)


@back_office_page
@require_POST
def upload_revert_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(REVERT_PERMISSION):
        raise PermissionDenied
    upload = _upload_or_404(pk)
    service_flash(
        request,
        lambda: upload_revert_request(upload=upload, actor=request.user),
        "The revert is queued; this page shows its report.",
    )
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
