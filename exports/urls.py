from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.ExportJobCreateApi.as_view(), name="api-export-job-create"),
    path("jobs/<int:pk>/", apis.ExportJobDetailApi.as_view(), name="api-export-job-detail"),
    path("jobs/<int:pk>/download/", apis.ExportJobDownloadApi.as_view(), name="api-export-job-download"),
    path("<str:name>.<str:fmt>", apis.ExportApi.as_view(), name="api-export"),
]
