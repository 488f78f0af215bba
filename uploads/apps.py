from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "uploads"

    def ready(self) -> None:
        from . import exports  # noqa: F401 (declares the upload entries export)
