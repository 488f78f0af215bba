"""``GET /api/v1/exports/<name>.<csv|xlsx>``: customers, upload entries, calls, promises to pay."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import APIView

from .exports import FORMATS, export_registry, export_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportApi(APIView):
    """A whole table as a file, streamed. Needs the view permission of what it exports."""

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR),
            (200, XLSX): OpenApiResponse(response=OpenApiTypes.BINARY),
        }
    )
    def get(self, request, name: str, fmt: str):
        registry = export_registry()
        if name not in registry or fmt not in FORMATS:
            raise Http404
        export, rows = registry[name]
        if not request.user.has_perm(export.permission):
            raise PermissionDenied("Your account may not export this. Ask an administrator for access.")
        return export_response(export=export, queryset=rows(), fmt=fmt, name=name)
