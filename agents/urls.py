from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/uploads.json", views.dashboard_uploads, name="dashboard-uploads"),
    path("queue/", views.work_queue, name="work-queue"),
    path("queue/<int:pk>/claim/", views.work_item_claim_view, name="work-item-claim"),
    path("queue/<int:pk>/done/", views.work_item_done_view, name="work-item-done"),
    path("search/", views.customer_search, name="customer-search"),
    path("customers/<int:pk>/", views.customer_page, name="customer-page"),
    path("customers/<int:pk>/call-outcome/", views.customer_call_outcome, name="customer-call-outcome"),
    path("customers/<int:pk>/promise/", views.customer_promise, name="customer-promise"),
    path("customers/<int:pk>/callback/", views.customer_callback, name="customer-callback"),
    path("customers/<int:pk>/suppressions/", views.customer_suppress, name="customer-suppress"),
    path("calls/<int:pk>/recording/", views.call_recording, name="call-recording"),
    path("uploads/new/", views.upload_new, name="upload-new"),
    path("uploads/<int:pk>/", views.upload_page, name="upload-page"),
    path("uploads/<int:pk>/progress.json", views.upload_progress, name="upload-progress"),
    path("uploads/<int:pk>/confirm/", views.upload_confirm_view, name="upload-confirm"),
    path("uploads/<int:pk>/revert/", views.upload_revert_view, name="upload-revert"),
    path("uploads/<int:pk>/name-conflicts/", views.upload_name_conflicts_view, name="upload-name-conflicts"),
    path("uploads/<int:pk>/failed-rows.csv", views.upload_failed_rows, name="upload-failed-rows"),
]
