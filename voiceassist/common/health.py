"""Can the web process reach what it depends on? Used by ``GET /healthz``."""

from django.conf import settings
from django.db import connection
from kombu import Connection


def database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker_check() -> None:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


CHECKS = {"database": database_check, "broker": broker_check}


def system_health() -> dict[str, str]:
    """``{"database": "ok", "broker": "ok"}``, or the failing part with a short reason."""
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency is reported, never raised
            report[name] = f"error: {exc.__class__.__name__}"
        else:
            report[name] = "ok"
    return report
