"""The admin's export actions: the selected rows as CSV or XLSX, sent at once or written by an export job.

Every app's admin offers them (``actions = [*export_actions("customers")]``); the exports themselves are
declared by each app (``<app>/exports.py``) in ``voiceassist.common.exports``.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.exports import EXPORTS, export_response, export_rows

from .selectors import export_is_direct, export_objects, export_selected
from .services import export_job_create


def export_actions(name: str) -> list:
    """Admin actions that export the selected rows as CSV or XLSX (the same exports as the API).

    A selection of up to ``EXPORT_DIRECT_MAX_ROWS`` rows is sent at once; a larger one becomes an export
    job, and the action opens the job's page (progress, then the download link) instead of timing out.
    """
    def make(fmt: str):
        @admin.action(description=f"Export selected as {fmt.upper()}", permissions=["view"])
        def export(modeladmin, request, queryset):
            export_ = EXPORTS[name]
            selected = export_selected(export=export_, queryset=queryset)
            count = selected.count()
            if export_is_direct(rows=count):
                rows = export_rows(export_.resource(), export_objects(export=export_, queryset=selected))
                return export_response(rows=rows, fmt=fmt, name=name)
            # Every row selected (select all, no filter): the job reads the table itself, not a list of ids.
            everything = count == export_.rows().count()
            ids = None if everything else list(selected.values_list("pk", flat=True))
            try:
                job = export_job_create(user=request.user, name=name, fmt=fmt, ids=ids)
            except ApplicationError as exc:
                modeladmin.message_user(request, exc.message, messages.ERROR)
                return None
            modeladmin.message_user(
                request,
                f"{count:,} {export_.label} are too many to download at once, so export #{job.pk} is being "
                "written. This page shows its progress, and the download link once it is ready.",
                messages.INFO,
            )
            return HttpResponseRedirect(reverse("admin:exports_exportjob_change", args=[job.pk]))

        export.__name__ = f"export_{fmt}"
        return export

    return [make(fmt) for fmt in ("csv", "xlsx")]
