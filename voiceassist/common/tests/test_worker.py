import pytest

from voiceassist.common.models import WorkerHeartbeat
from voiceassist.common.tasks import worker_heartbeat
from voiceassist.common.testing import wait_until

pytestmark = pytest.mark.worker


def test_a_real_worker_runs_a_queued_task(celery_worker_process):
    celery_worker_process()

    worker_heartbeat.delay()

    heartbeat = wait_until(lambda: WorkerHeartbeat.objects.first())
    assert heartbeat.seen_at is not None


def test_pinging_workers_from_the_admin_is_answered_by_a_real_worker(celery_worker_process, client, roles):
    from voiceassist.common.roles import BACK_OFFICE
    from voiceassist.common.tests.factories import UserFactory

    celery_worker_process()
    client.force_login(UserFactory(role=BACK_OFFICE))

    response = client.post("/admin/common/workerheartbeat/ping/")

    assert response.status_code == 302
    assert wait_until(lambda: WorkerHeartbeat.objects.exists())
    assert client.get("/admin/common/workerheartbeat/").status_code == 200
