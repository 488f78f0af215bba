from django.urls import path

from voiceassist.common.api import api_by_method

from . import apis

urlpatterns = [
    path("", api_by_method(get=apis.UploadListApi, post=apis.UploadCreateApi), name="api-upload-list"),
    path("<int:pk>/", apis.UploadDetailApi.as_view(), name="api-upload-detail"),
    path("<int:pk>/confirm/", apis.UploadConfirmApi.as_view(), name="api-upload-confirm"),
    path("<int:pk>/revert/", apis.UploadRevertApi.as_view(), name="api-upload-revert"),
    path("<int:pk>/errors.csv", apis.UploadErrorsCsvApi.as_view(), name="api-upload-errors"),
    path("<int:pk>/entries/", apis.UploadEntriesApi.as_view(), name="api-upload-entries"),
    path("<int:pk>/name-conflicts/", apis.UploadNameConflictsApi.as_view(), name="api-upload-name-conflicts"),
    path("<int:pk>/columns/", apis.UploadColumnsApi.as_view(), name="api-upload-columns"),
    path("column-profiles/", apis.ColumnProfileListApi.as_view(), name="api-column-profile-list"),
]
