"""Upload services: intake (store and queue), processing (the batch pipeline), revert."""

from .intake import upload_confirm, upload_create, upload_identical_earlier
from .processing import upload_process
from .revert import upload_revert, upload_revert_request

__all__ = [
    "upload_confirm",
    "upload_create",
    "upload_identical_earlier",
    "upload_process",
    "upload_revert",
    "upload_revert_request",
]
