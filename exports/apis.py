"""Exports over the API: a small table at once, a large one as a job to poll and then download.

- ``GET /api/v1/exports/<name>.<csv|xlsx>``: the whole table, streamed, up to ``EXPORT_DIRECT_MAX_ROWS``
  rows; above that a 409 ``export_too_large`` says to start a job.
- ``POST /api/v1/exports/`` ``{"name", "format"}``: a job (202), with its url.
- ``GET /api/v1/exports/jobs/<id>/``: its status and progress, and its ``download_url`` once completed.
- ``GET /api/v1/exports/jobs/<id>/download/``: the stored file.

Each needs the view permission of what is exported; a job is seen only by whoever asked for it and by
back office.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from voiceassist.common.api import ErrorSerializer, error_responses
from voiceassist.common.exports import CONTENT_TYPES, EXPORTS, FORMATS, export_response, export_rows

from .models import ExportFormat, ExportJob
from .selectors import (
    export_count,
    export_direct_check,
    export_get,
    export_job_file,
    export_job_get,
    export_objects,
    export_permission_check,
)
from .services import export_job_create

FILE_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR),
    (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(response=OpenApiTypes.BINARY),
}


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


class ExportApi(APIView):
    """A whole table as a file, streamed, when it is small enough; else a 409 saying to start a job."""

    @extend_schema(
        responses={
            **FILE_RESPONSES,
            **error_responses(404),
            409: _error("Too many rows for a direct download (`export_too_large`): POST /api/v1/exports/."),
        }
    )
    def get(self, request, name: str, fmt: str):
        export = export_get(name=name)
        if fmt not in FORMATS:
            raise Http404(f"Exports are written as {' or '.join(FORMATS)}, not “{fmt}”.")
        export_permission_check(user=request.user, export=export)
        export_direct_check(export=export, rows=export_count(export=export), fmt=fmt)
        return export_response(rows=export_rows(export.resource(), export_objects(export=export)), fmt=fmt, name=name)


@extend_schema_serializer(component_name="ExportJob")
class ExportJobOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    progress_percent = serializers.IntegerField()
    download_url = serializers.SerializerMethodField(help_text="Set once the job is completed, until it expires.")
    expired = serializers.BooleanField(source="is_expired", help_text="The file was deleted (retention).")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "name",
            "format",
            "status",
            "status_display",
            "rows_total",
            "rows_done",
            "progress_percent",
            "download_url",
            "expired",
            "error_message",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]

    def get_url(self, job: ExportJob) -> str:
        return self._absolute(reverse("api-export-job-detail", args=[job.pk]))

    def get_download_url(self, job: ExportJob) -> str | None:
        if not job.is_downloadable:
            return None
        return self._absolute(reverse("api-export-job-download", args=[job.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ExportJobCreateApi(APIView):
    """Start an export job: the file is written by a worker; poll the answer's ``url`` until it is completed."""

    @extend_schema_serializer(component_name="ExportJobCreateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.ChoiceField(choices=list(EXPORTS))
        format = serializers.ChoiceField(choices=ExportFormat.choices)

    @extend_schema(
        request=InputSerializer,
        responses={
            202: ExportJobOutputSerializer,
            **error_responses(400),
            503: _error("The job could not be queued (`queue_unavailable`); try again in a few minutes."),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = export_job_create(user=request.user, name=data.validated_data["name"], fmt=data.validated_data["format"])
        output = ExportJobOutputSerializer(job, context={"request": request}).data
        return Response(output, status=status.HTTP_202_ACCEPTED, headers={"Location": output["url"]})


class ExportJobDetailApi(APIView):
    """An export job's status and progress; ``download_url`` once it is completed."""

    @extend_schema(responses={200: ExportJobOutputSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        job = export_job_get(user=request.user, pk=pk)
        return Response(ExportJobOutputSerializer(job, context={"request": request}).data)


class ExportJobDownloadApi(APIView):
    """The file of a completed export job, from storage."""

    @extend_schema(
        responses={
            **FILE_RESPONSES,
            **error_responses(404),
            409: _error("The job has not completed (`export_not_ready`), or it failed."),
            410: _error("The file was deleted after the retention period (`export_expired`)."),
        }
    )
    def get(self, request, pk: int):
        job = export_job_get(user=request.user, pk=pk)
        return FileResponse(
            export_job_file(job=job),
            as_attachment=True,
            filename=job.download_name,
            content_type=CONTENT_TYPES[job.format],
        )
