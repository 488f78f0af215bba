from django.apps import AppConfig
from django.conf import settings


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self) -> None:
        from calls.compliance import compliance_settings_validate

        from . import (
            exports,  # noqa: F401 (declares the calls and promises exports)
            receivers,  # noqa: F401 (connects what calls does when customers' facts change)
        )

        # Every process (web, worker, beat, manage.py) refuses to start on settings that widen the law.
        compliance_settings_validate(settings.COMPLIANCE_OVERRIDES)
