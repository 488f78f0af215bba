"""Thin tasks: fetch by id, call the service. Running one again is safe (see ``exports.services``)."""

from celery import shared_task

from .services import export_job_run, export_jobs_expire


@shared_task(name="exports.run", acks_late=True, reject_on_worker_lost=True)
def export_job_run_task(job_id: int) -> None:
    export_job_run(job_id=job_id)


@shared_task(name="exports.expire")
def export_jobs_expire_task() -> dict:
    return export_jobs_expire()
