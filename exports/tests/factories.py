from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from exports.models import ExportJob, ExportJobStatus
from voiceassist.common.roles import BACK_OFFICE
from voiceassist.common.tests.factories import UserFactory


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportJob

    requested_by = factory.SubFactory(UserFactory, role=BACK_OFFICE)
    name = "customers"
    format = "csv"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


def completed_export_job(*, content: bytes = b"\xef\xbb\xbfid\r\n1\r\n", **kwargs) -> ExportJob:
    """A completed job whose file is in storage, as a worker would have left it."""
    job = ExportJobFactory(
        status=ExportJobStatus.COMPLETED, rows_total=1, rows_done=1, finished_at=timezone.now(), **kwargs
    )
    job.file.save(job.download_name, ContentFile(content))
    return job
