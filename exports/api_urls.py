"""The exports API under /api/v1/: a direct download of an export, and export jobs (asked for, polled, downloaded)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("exports/", apis.ExportJobCreateApi.as_view(), name="api-export-job-create"),
    path("exports/jobs/<int:pk>/", apis.ExportJobDetailApi.as_view(), name="api-export-job-detail"),
    path("exports/jobs/<int:pk>/download/", apis.ExportJobDownloadApi.as_view(), name="api-export-job-download"),
    path("exports/<str:name>.<str:fmt>", apis.ExportApi.as_view(), name="api-export"),
]
