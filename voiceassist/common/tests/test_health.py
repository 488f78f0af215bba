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
