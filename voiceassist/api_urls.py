"""The public API's routes under /api/v1/ (uploads and provider webhooks have their own url modules)."""

urlpatterns: list = []
