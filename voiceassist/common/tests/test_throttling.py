"""API throttles: anonymous and wrong-token requests count too, and the counts live in a cache every process shares."""

import runpy
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db

BASE_SETTINGS = django_settings.BASE_DIR / "voiceassist" / "settings" / "base.py"


@pytest.fixture
def two_a_minute(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "2/minute"})
    cache.clear()
    yield
    cache.clear()


def _assert_throttled(response):
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_anonymous_requests_are_throttled(two_a_minute):
    client = APIClient()

    assert [client.get("/api/v1/customers/").status_code for _ in range(2)] == [401, 401]
    _assert_throttled(client.get("/api/v1/loans/"))


def test_wrong_tokens_are_throttled(two_a_minute):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef")

    assert [client.get("/api/v1/customers/").status_code for _ in range(2)] == [401, 401]
    _assert_throttled(client.get("/api/v1/customers/"))


def test_a_forged_forwarded_for_header_does_not_make_a_new_client(two_a_minute):
    client = APIClient()

    statuses = [client.get("/api/v1/customers/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in (1, 2)]

    assert statuses == [401, 401]
    _assert_throttled(client.get("/api/v1/customers/", HTTP_X_FORWARDED_FOR="203.0.113.3"))


def test_a_valid_token_is_still_counted_per_user(two_a_minute, back_office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")

    assert [client.get("/api/v1/customers/").status_code for _ in range(2)] == [200, 200]
    _assert_throttled(client.get("/api/v1/customers/"))


@pytest.fixture(params=["file", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request, settings, tmp_path):
    """A cache that processes share: files on this machine, or the Redis server (keys under a prefix of
    their own, so the broker's database is left as it is)."""
    if request.param == "file":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.CELERY_BROKER_URL,
                "KEY_PREFIX": f"test-throttle-{uuid.uuid4().hex}",
            }
        }
    yield
    if request.param == "file":
        caches["default"].clear()


def test_throttle_counts_hold_across_processes(shared_cache, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "2/minute"})
    client = APIClient()
    first_process_cache = caches["default"]
    assert [client.get("/api/v1/customers/").status_code for _ in range(2)] == [401, 401]

    # Another process: its own cache client, nothing in memory from the first.
    del caches["default"]
    assert caches["default"] is not first_process_cache

    _assert_throttled(client.get("/api/v1/customers/"))


def test_the_cache_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "redis://cache.internal:6379/1")
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "7")
    monkeypatch.setenv("LOGIN_LOCKOUT_MINUTES", "30")
    configured = runpy.run_path(str(BASE_SETTINGS))
    monkeypatch.setenv("CACHE_URL", "")
    monkeypatch.delenv("LOGIN_FAILURE_LIMIT")
    monkeypatch.delenv("LOGIN_LOCKOUT_MINUTES")
    embedded = runpy.run_path(str(BASE_SETTINGS))

    assert configured["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }
    assert embedded["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert embedded["CACHES"]["default"]["LOCATION"].startswith(str(django_settings.BASE_DIR / "var"))
    assert configured["AXES_FAILURE_LIMIT"] == 7 and configured["AXES_COOLOFF_TIME"] == timedelta(minutes=30)
    assert embedded["AXES_FAILURE_LIMIT"] == 5 and embedded["AXES_COOLOFF_TIME"] == timedelta(minutes=15)
    assert embedded["REST_FRAMEWORK"]["NUM_PROXIES"] == 0  # a client's own X-Forwarded-For is not its identity
