"""Each export by name: its columns (an import-export resource), the permission it needs, the rows it reads."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from import_export.resources import Resource

from calls.models import Call, PromiseToPay
from calls.resources import CallExportResource, PromiseExportResource
from customers.models import Customer
from customers.resources import CustomerExportResource
from uploads.models import UploadRow
from uploads.resources import UploadRowExportResource


@dataclass(frozen=True)
class Export:
    name: str
    label: str  # what a clerk calls the rows: "customers", "upload entries"
    resource: type[Resource]
    permission: str
    # Every row, in the file's order; an admin selection is a filter on it. Ordered by a unique key, so
    # the chunks of a long read neither repeat nor skip a row.
    rows: Callable[[], QuerySet]


EXPORTS: dict[str, Export] = {
    export.name: export
    for export in (
        Export(
            "customers",
            "customers",
            CustomerExportResource,
            "customers.view_customer",
            lambda: Customer.objects.with_do_not_call().prefetch_related("loans").order_by("id"),
        ),
        Export(
            "entries",
            "upload entries",
            UploadRowExportResource,
            "uploads.view_uploadrow",
            lambda: UploadRow.objects.select_related("upload").order_by("upload_id", "row_number"),
        ),
        Export(
            "calls",
            "calls",
            CallExportResource,
            "calls.view_call",
            lambda: Call.objects.select_related("customer", "loan", "campaign", "disposition").order_by("id"),
        ),
        Export(
            "promises",
            "promises to pay",
            PromiseExportResource,
            "calls.view_promisetopay",
            lambda: PromiseToPay.objects.select_related("customer", "loan").order_by("id"),
        ),
    )
}
