from django.urls import path

from .views import customers, dashboard, queue, recordings, search, uploads

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/uploads.json", dashboard.dashboard_uploads, name="dashboard-uploads"),
    path("queue/", queue.work_queue, name="work-queue"),
    path("queue/<int:pk>/claim/", queue.work_item_claim_view, name="work-item-claim"),
    path("queue/<int:pk>/done/", queue.work_item_done_view, name="work-item-done"),
    path("search/", search.customer_search, name="customer-search"),
    path("customers/<int:pk>/", customers.customer_page, name="customer-page"),
    path("customers/<int:pk>/call-outcome/", customers.customer_call_outcome, name="customer-call-outcome"),
    path("customers/<int:pk>/promise/", customers.customer_promise, name="customer-promise"),
    path("customers/<int:pk>/callback/", customers.customer_callback, name="customer-callback"),
    path("customers/<int:pk>/suppressions/", customers.customer_suppress, name="customer-suppress"),
    path("calls/<int:pk>/recording/", recordings.call_recording, name="call-recording"),
    path("uploads/new/", uploads.upload_new, name="upload-new"),
    path("uploads/<int:pk>/", uploads.upload_page, name="upload-page"),
    path("uploads/<int:pk>/progress.json", uploads.upload_progress, name="upload-progress"),
    path("uploads/<int:pk>/confirm/", uploads.upload_confirm_view, name="upload-confirm"),
    path("uploads/<int:pk>/revert/", uploads.upload_revert_view, name="upload-revert"),
    path("uploads/<int:pk>/name-conflicts/", uploads.upload_name_conflicts_view, name="upload-name-conflicts"),
    path("uploads/<int:pk>/failed-rows.csv", uploads.upload_failed_rows, name="upload-failed-rows"),
]
