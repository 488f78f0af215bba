import pytest
from django.db import DatabaseError

from voiceassist.common import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("error")


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    def database_down():
        raise DatabaseError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "error: DatabaseError", "broker": "ok"}


def test_healthz_needs_no_login_and_takes_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_a_missing_api_url_answers_in_the_api_error_shape(client):
    response = client.get("/api/v1/calls/null/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "details": {}}}
    assert client.get("/no-such-page/").status_code == 404


def test_under_production_settings_the_health_check_answers_over_plain_http():
    """The compose health check asks http://127.0.0.1:8000/healthz; everything else is sent to https."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/accounts/login/').status_code)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "voiceassist.settings.production",
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-the-production-settings-probe",
        "NATIONAL_ID_HMAC_KEY": "test-only",
        "SIMULATED_WEBHOOK_SECRET": "test-only",
        "EXOTEL_WEBHOOK_TOKEN": "test-only",
        "PUBLIC_BASE_URL": "https://voice.example.com",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    health, login = result.stdout.split()[-2:]
    assert login == "301"  # plain http is redirected…
    assert health in ("200", "503")  # …but the health check answers (503 only if a service is down here)
