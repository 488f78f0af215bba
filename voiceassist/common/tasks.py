from celery import shared_task

from .services import worker_heartbeat_record


@shared_task(name="common.worker_heartbeat")
def worker_heartbeat() -> None:
    worker_heartbeat_record()
