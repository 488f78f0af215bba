"""The uploads API under /api/v1/: uploads and their entries (``uploads.urls``), and a customer's entries."""

from django.urls import include, path

from .apis import CustomerEntriesApi

urlpatterns = [
    path("uploads/", include("uploads.urls")),
    # A customer's timeline of entries: the customer's path, the entries' app (customers never imports uploads).
    path("customers/<int:pk>/entries/", CustomerEntriesApi.as_view(), name="api-customer-entries"),
]
