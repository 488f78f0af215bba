"""Settings for production: everything that matters must come from the environment."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, STORAGES, env

SECRET_KEY = env("DJANGO_SECRET_KEY")
NATIONAL_ID_HMAC_KEY = env("NATIONAL_ID_HMAC_KEY")
SIMULATED_WEBHOOK_SECRET = env("SIMULATED_WEBHOOK_SECRET")
EXOTEL_WEBHOOK_TOKEN = env("EXOTEL_WEBHOOK_TOKEN")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The health check is asked over plain HTTP from inside the stack (compose, the load balancer): a redirect
# to https would make it fail for ever.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# Static files are served by the app itself (whitenoise), compressed and cache-busted.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
