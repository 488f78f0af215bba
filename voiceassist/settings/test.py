"""Settings for the test suite.

``DATABASE_URL`` and ``CELERY_BROKER_URL`` still come from the environment, so the same suite runs
on SQLite alone or, in CI, against PostgreSQL and Redis.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

SECRET_KEY = "test-secret-key"
NATIONAL_ID_HMAC_KEY = "test-national-id-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media"))
SIMULATED_EVENT_DELAY = 0
# The suite makes many requests a minute as one user: no throttling in the way.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
# Each test process its own cache: runs side by side never share throttle counts. Tests about a shared cache
# configure one themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
