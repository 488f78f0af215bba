"""Fixtures shared by every app's tests, and the rule for tests that need real services.

Tests marked ``postgres``, ``redis`` or ``worker`` need those services. On a developer's machine
without them they are skipped; under ``CI=true`` a missing service fails the test instead, so CI can
never pass by quietly skipping them.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from voiceassist.common.roles import AGENT, BACK_OFFICE

BASE_DIR = Path(__file__).resolve().parent


def _postgres_available() -> bool:
    return connection.vendor == "postgresql"


def _redis_available() -> bool:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _require(service: str, available: bool) -> None:
    if available:
        return
    message = f"{service} is not configured or not answering"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}, and CI must run this test.", pytrace=False)
    pytest.skip(message)


def pytest_runtest_setup(item: pytest.Item) -> None:
    names = {marker.name for marker in item.iter_markers()}
    if names & {"postgres", "worker"}:
        _require("PostgreSQL (DATABASE_URL)", _postgres_available())
    if names & {"redis", "worker"}:
        _require("Redis (CELERY_BROKER_URL)", _redis_available())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The rows migrations seed, written again at the start of a run: a database kept from an earlier
    run (``--reuse-db``) was flushed by that run's transactional tests."""
    from calls.reference_data import reference_data_ensure
    from voiceassist.common.services import roles_sync

    with django_db_blocker.unblock():
        roles_sync()
        reference_data_ensure()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def roles(db):
    from voiceassist.common.services import roles_sync

    roles_sync()


@pytest.fixture
def back_office_user(roles):
    from voiceassist.common.tests.factories import UserFactory

    return UserFactory(role=BACK_OFFICE)


@pytest.fixture
def agent_user(roles):
    from voiceassist.common.tests.factories import UserFactory

    return UserFactory(role=AGENT)


def _database_url_for_subprocess() -> str:
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


@pytest.fixture
def reference_data(db):
    """The rows migrations seed (roles, dispositions, scripts), again: transactional tests flush them."""
    from calls.reference_data import reference_data_ensure
    from voiceassist.common.services import roles_sync

    roles_sync()
    reference_data_ensure()


@pytest.fixture
def celery_worker_process(transactional_db, reference_data):
    """A real Celery worker process on the test database and the test broker.

    Yields a function that starts one (so a test can start a second after killing the first).
    """
    from voiceassist.celery_app import app

    app.control.purge()
    started: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voiceassist.settings.test",
        "DATABASE_URL": _database_url_for_subprocess(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }

    def start(name: str = "test-worker", *, pool: str = "solo", **extra_env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "voiceassist",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={name}-{len(started)}@%h",
            ],
            cwd=BASE_DIR,
            env={**env, **extra_env},
            start_new_session=True,  # its own process group: a test can kill the worker and its children
        )
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[f"{name}-{len(started) - 1}@{os.uname().nodename}"], timeout=0.5):
                return process
            if process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited at start with code {process.returncode}.")
        raise RuntimeError("The Celery worker did not answer within 30 seconds.")

    def start_beat(**extra_env: str) -> subprocess.Popen:
        schedule = Path(settings.MEDIA_ROOT).parent / "celerybeat-schedule"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "voiceassist",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={schedule}",
            ],
            cwd=BASE_DIR,
            env={**env, **extra_env},
        )
        started.append(process)
        return process

    start.beat = start_beat
    yield start

    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    app.control.purge()


@pytest.fixture
def eager_tasks():
    """Run queued Celery tasks in-process, for tests about what a request leads to, not about the worker."""
    from voiceassist.celery_app import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
