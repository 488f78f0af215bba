"""Upload services: intake (store and queue), processing (the batch pipeline), columns (mapping, profiles), revert."""

from .columns import column_profile_find, column_profile_save, upload_columns_map
from .intake import upload_confirm, upload_create, upload_identical_earlier
from .processing import upload_process
from .revert import upload_revert, upload_revert_request

__all__ = [
    "column_profile_find",
    "column_profile_save",
    "upload_columns_map",
    "upload_confirm",
    "upload_create",
    "upload_identical_earlier",
    "upload_process",
    "upload_revert",
    "upload_revert_request",
]
