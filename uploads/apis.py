"""Uploads over the API: push a file, watch it, map its columns, confirm, revert, fetch the failed rows."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer
from uploads.models import ColumnProfile, FileUpload, RowOutcome, UploadMode, UploadRow
from uploads.selectors import HIDDEN_CHANGES, customer_entries, upload_entries, upload_failed_rows_download
from uploads.services import (
    column_profile_find,
    upload_columns_map,
    upload_confirm,
    upload_create,
    upload_revert_request,
)
from uploads.services.conflicts import name_conflicts_pending, name_conflicts_resolve
from voiceassist.common.api import error_responses
from voiceassist.common.permissions import model_permission

CanViewUploads = model_permission("uploads.view_fileupload")
CanAddUploads = model_permission("uploads.view_fileupload", "uploads.add_fileupload")
CanRevertUploads = model_permission("uploads.view_fileupload", "uploads.delete_fileupload")
CanViewColumnProfiles = model_permission("uploads.view_columnprofile")
# Renaming a customer on a file's word is back office's call: it takes changing customers.
CanResolveConflicts = model_permission("uploads.view_fileupload", "customers.change_customer")


class UploadOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    progress_percent = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    identical_warning = serializers.CharField()
    unknown_columns = serializers.SerializerMethodField()
    headers = serializers.SerializerMethodField()
    missing_columns = serializers.SerializerMethodField()
    mapping_needed = serializers.SerializerMethodField()
    profile_name = serializers.SerializerMethodField()
    column_overrides = serializers.DictField(child=serializers.CharField(allow_blank=True))
    errors_csv_url = serializers.SerializerMethodField()
    numbers = serializers.SerializerMethodField()
    reading = serializers.SerializerMethodField()

    class Meta:
        model = FileUpload
        fields = [
            "id",
            "url",
            "original_name",
            "status",
            "status_display",
            "mode",
            "dry_run",
            "stop_on_error",
            "rows_total",
            "rows_done",
            "progress_percent",
            "counts",
            "identical_to",
            "identical_warning",
            "unknown_columns",
            "headers",
            "missing_columns",
            "mapping_needed",
            "profile",
            "profile_name",
            "column_overrides",
            "numbers",
            "reading",
            "error_summary",
            "errors_csv_url",
            "created_at",
            "started_at",
            "finished_at",
            "file_purged_at",
        ]

    def get_url(self, upload: FileUpload) -> str:
        return self._absolute(reverse("api-upload-detail", args=[upload.pk]))

    def get_errors_csv_url(self, upload: FileUpload) -> str:
        return self._absolute(reverse("api-upload-errors", args=[upload.pk]))

    def get_unknown_columns(self, upload: FileUpload) -> list[str]:
        return upload.report.get("unknown_columns", [])

    def get_headers(self, upload: FileUpload) -> list[str]:
        """The file's headers as written: what ``columns`` of a mapping names."""
        return upload.report.get("headers", [])

    def get_missing_columns(self, upload: FileUpload) -> list[str]:
        """While the upload waits for its mapping: the required columns no header is read as."""
        return upload.report.get("missing_columns", [])

    def get_mapping_needed(self, upload: FileUpload) -> str:
        """While the upload waits for its mapping: what to choose, in words."""
        return upload.report.get("mapping_needed", "")

    @extend_schema_field(
        {
            "type": "object",
            "description": "Phones that are not plainly a mobile the bot may call, by distinct phone: `counts` "
            "(landline, mobile_or_landline, other, outside_countries), the first `rows` of each, and `countries`.",
        }
    )
    def get_numbers(self, upload: FileUpload) -> dict:
        return upload.report.get("numbers", {})

    @extend_schema_field(
        {
            "type": "object",
            "description": "How the file was read: `header_line` (its row), `title_lines` above it (not imported), "
            "`blank_rows` (the first 1,000 row numbers) and `blank_row_count`.",
        }
    )
    def get_reading(self, upload: FileUpload) -> dict:
        keys = ("header_line", "title_lines", "blank_rows", "blank_row_count")
        return {key: upload.report[key] for key in keys if key in upload.report}

    def get_profile_name(self, upload: FileUpload) -> str:
        return upload.profile.name if upload.profile_id and upload.profile else ""

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EntryOutputSerializer(serializers.ModelSerializer):
    upload_name = serializers.CharField(source="upload.original_name")

    class Meta:
        model = UploadRow
        fields = [
            "id",
            "upload",
            "upload_name",
            "row_number",
            "outcome",
            "customer",
            "phone",
            "loan_id",
            "values",
            "errors",
            "changes",
            "created_at",
        ]

    def to_representation(self, entry: UploadRow) -> dict:
        data = super().to_representation(entry)
        # Entries no longer record it and a migration removed it from old ones; an entry written by an older
        # worker during a deploy could still hold it, and it must never leave the database.
        data["changes"] = {column: pair for column, pair in data["changes"].items() if column not in HIDDEN_CHANGES}
        return data


class UploadListApi(ListAPIView):
    """Uploads, newest first."""

    permission_classes = [CanViewUploads]
    serializer_class = UploadOutputSerializer

    def get_queryset(self):
        return FileUpload.objects.select_related("identical_to", "profile").order_by("-created_at", "-pk")


class UploadCreateApi(APIView):
    """Push a file: it is stored and queued, and the answer says where to watch it."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [CanAddUploads]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        mode = serializers.ChoiceField(choices=UploadMode.choices, default=UploadMode.UPSERT)
        dry_run = serializers.BooleanField(default=False)
        stop_on_error = serializers.BooleanField(default=False)
        allow_identical = serializers.BooleanField(
            default=False, help_text="Go on even if the same file was uploaded before."
        )
        profile = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=100,
            help_text="A saved column profile to read the file with, by id or name (GET /api/v1/uploads/"
            "column-profiles/ lists them).",
        )

    @extend_schema(request=InputSerializer, responses={202: UploadOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file = data.validated_data.pop("file")
        profile = data.validated_data.pop("profile", "").strip()
        upload = upload_create(
            file=file,
            original_name=file.name,
            uploaded_by=request.user,
            profile=column_profile_find(profile=profile) if profile else None,
            **data.validated_data,
        )
        output = UploadOutputSerializer(upload, context={"request": request}).data
        return Response(output, status=status.HTTP_202_ACCEPTED, headers={"Location": output["url"]})


class UploadDetailApi(APIView):
    permission_classes = [CanViewUploads]

    @extend_schema(responses=UploadOutputSerializer)
    def get(self, request, pk: int):
        upload = get_object_or_404(FileUpload.objects.select_related("identical_to", "profile"), pk=pk)
        return Response(UploadOutputSerializer(upload, context={"request": request}).data)


class UploadConfirmApi(APIView):
    permission_classes = [CanAddUploads]

    @extend_schema(request=None, responses={202: UploadOutputSerializer})
    def post(self, request, pk: int):
        upload = upload_confirm(upload=get_object_or_404(FileUpload, pk=pk), actor=request.user)
        return Response(UploadOutputSerializer(upload, context={"request": request}).data, status=202)


class UploadColumnsApi(APIView):
    """Say which column each of the file's headers is ("" ignores one), then the file is read again with it.

    For an upload waiting for its column mapping, or a preview waiting for confirmation (previewed again).
    ``columns`` names headers as the upload's ``headers`` list them; ``save_as`` keeps the mapping as a column
    profile of that name (created, or its columns replaced) for the lender's next files."""

    permission_classes = [CanAddUploads]

    @extend_schema_serializer(component_name="UploadColumnsInput")
    class InputSerializer(serializers.Serializer):
        columns = serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=64),
            allow_empty=True,
            help_text='File header → column (e.g. {"Contact 1": "phone", "Branch": ""}); "" ignores the column.',
        )
        save_as = serializers.CharField(
            required=False, allow_blank=True, max_length=100, help_text="Save the mapping as this column profile."
        )

    @extend_schema(request=InputSerializer, responses={202: UploadOutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        upload = get_object_or_404(FileUpload, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = upload_columns_map(
            upload=upload,
            columns=data.validated_data["columns"],
            save_as=data.validated_data.get("save_as", ""),
            actor=request.user,
        )
        return Response(UploadOutputSerializer(upload, context={"request": request}).data, status=202)


class ColumnProfileOutputSerializer(serializers.ModelSerializer):
    columns = serializers.DictField(child=serializers.CharField(allow_blank=True))

    class Meta:
        model = ColumnProfile
        fields = ["id", "name", "columns", "header_line"]


class ColumnProfileListApi(ListAPIView):
    """The saved column profiles, by name: what ``profile`` of a new upload may name (by id or name)."""

    permission_classes = [CanViewColumnProfiles]
    serializer_class = ColumnProfileOutputSerializer
    queryset = ColumnProfile.objects.order_by("name", "pk")


class UploadRevertApi(APIView):
    permission_classes = [CanRevertUploads]

    @extend_schema(request=None, responses={202: UploadOutputSerializer})
    def post(self, request, pk: int):
        upload = upload_revert_request(upload=get_object_or_404(FileUpload, pk=pk), actor=request.user)
        return Response(UploadOutputSerializer(upload, context={"request": request}).data, status=202)


class UploadErrorsCsvApi(APIView):
    """The rows that were not imported, as CSV with an ``error`` column, ready to fix and upload again."""

    permission_classes = [CanViewUploads]

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)})
    def get(self, request, pk: int):
        return upload_failed_rows_download(upload=get_object_or_404(FileUpload, pk=pk))


class UploadEntriesApi(ListAPIView):
    """The upload's entries in row order; ``?outcome=invalid`` (or any outcome) narrows them."""

    permission_classes = [CanViewUploads]
    serializer_class = EntryOutputSerializer
    queryset = UploadRow.objects.none()  # the real one depends on the URL (get_queryset)

    @extend_schema(parameters=[OpenApiParameter("outcome", enum=RowOutcome.values, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        upload = get_object_or_404(FileUpload, pk=self.kwargs["pk"])
        outcome = self.request.query_params.get("outcome")
        return upload_entries(upload=upload, outcome=outcome if outcome in RowOutcome.values else None).select_related(
            "upload"
        )


class CustomerEntriesApi(ListAPIView):
    """A customer's timeline: every upload row that named them, newest first, with what it changed."""

    permission_classes = [model_permission("customers.view_customer")]
    serializer_class = EntryOutputSerializer
    queryset = UploadRow.objects.none()  # the real one depends on the URL (get_queryset)

    def get_queryset(self):
        return customer_entries(customer=get_object_or_404(Customer, pk=self.kwargs["pk"]))


class UploadNameConflictsApi(APIView):
    """Decide the upload's held name conflicts: accept (rename the customer and apply the row) or reject.
    Without ``entries``, every row of the upload still held is decided."""

    permission_classes = [CanResolveConflicts]

    @extend_schema_serializer(component_name="NameConflictDecisionInput")
    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["accept", "reject"])
        entries = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2_147_483_647),
            required=False,
            max_length=10_000,
            help_text="Row numbers; absent: all held.",
        )

    @extend_schema_serializer(component_name="NameConflictDecisionOutput")
    class OutputSerializer(serializers.Serializer):
        decided = serializers.IntegerField()
        still_held = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        upload = get_object_or_404(FileUpload, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        held = name_conflicts_pending(upload_id=upload.pk)
        if "entries" in data.validated_data:
            held = held.filter(row_number__in=data.validated_data["entries"])
        decided = name_conflicts_resolve(
            entries=held, accept=data.validated_data["decision"] == "accept", actor=request.user
        )
        still = name_conflicts_pending(upload_id=upload.pk).count()
        return Response({"decided": decided, "still_held": still})
