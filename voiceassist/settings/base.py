"""Settings shared by every environment; every value comes from the environment.

The defaults describe the embedded setup (SQLite, a broker on the local filesystem) so that a fresh
checkout runs with nothing configured. Production overrides them through ``DATABASE_URL``,
``CELERY_BROKER_URL`` and friends; ``.env.example`` lists them all.
"""

from datetime import datetime, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from voiceassist.formats.en_IN import formats as IN_FORMATS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(str(BASE_DIR / ".env"), overwrite=False)

# --- Core --------------------------------------------------------------------------------------

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the web processes that append the client's address to X-Forwarded-For. 0: clients
# connect directly and the header, which anyone can write, is ignored (login lockouts and API throttles count
# per address, so a forged one must not make a new client).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "voiceassist.common.admin_config.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "voiceassist.common.admin_config.LoginAttemptsConfig",  # django-axes
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    # Before ``common``: back office is granted permissions after each migrate, once every earlier app has its own.
    "voiceassist.api_tokens",
    "voiceassist.common",
    "customers",
    "uploads",
    "calls",
    "payments",
    "agents",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the "try again at …" page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): every page's scripts, styles, images and fonts come from this
# site, no inline script or style runs, nothing frames the pages, forms post only here. The agents'
# pages, the admin and the API docs are written to pass it (browser tests check for violations).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        # Call recordings play from this site (the server fetches them from the provider).
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "voiceassist.urls"
WSGI_APPLICATION = "voiceassist.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded setup: take the write lock at
    # the start of each transaction and wait for it rather than failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------------

# Shared by every process, since the API's throttles count requests here: a per-process cache would give
# each gunicorn worker its own allowance. CACHE_URL=redis://host:6379/1 uses Redis (Django's own backend);
# without it, a file cache in var/cache/ that the processes of one machine share.
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth --------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Every password login (the agents' page, the admin's) is locked for one username from one address after
# LOGIN_FAILURE_LIMIT failures in a row, for LOGIN_LOCKOUT_MINUTES after the last one. Attempts are kept
# in the database (the admin's "Access attempts", where back office can also lift a lock early).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during a lock are refused without being counted, so the lock ends when the page says it does.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "voiceassist.common.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "voiceassist.common.client_address.client_ip_address"
# Logs name neither the username nor the address (axes masks them when not verbose).
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------------------------

# Dates day first and numbers in lakhs everywhere (``voiceassist/formats/en_IN``), whatever the browser says.
LANGUAGE_CODE = "en-in"
FORMAT_MODULE_PATH = ["voiceassist.formats"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files and exports are read and written through Django's storage API only (never by path),
# so with DJANGO_STORAGE=s3 they live in an S3-compatible bucket (django-storages) that web and workers
# on different machines share. Objects stay private; they are served by the app, after its checks.
if env("DJANGO_STORAGE", default="filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Product settings --------------------------------------------------------------------------

# Region used to read phone numbers written without a country code.
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="IN")
# Countries whose numbers the bot may call (ISO 3166 alpha-2): those whose law the compliance guard knows.
# A campaign may narrow them; an upload reports numbers outside them.
CALL_COUNTRIES = env.list("CALL_COUNTRIES", default=["IN", "US"])
# Key of the HMAC that fingerprints national ids; the ids themselves are never stored.
NATIONAL_ID_HMAC_KEY = env("NATIONAL_ID_HMAC_KEY", default="insecure-local-national-id-key")

# --- REST framework ----------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # ``Authorization: Token <key>``; only a hash of each key is stored (django-rest-knox).
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "voiceassist.common.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "voiceassist.common.exceptions.drf_exception_handler",
    # Per client: anonymous requests by address, authenticated ones by user (e.g. "60/minute", "5000/hour").
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
    },
    # Unset, DRF would take a client's own X-Forwarded-For as its identity: a new one per request, no limit.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# API tokens are made in the admin and shown once; new ones are valid this many days unless the admin says otherwise.
API_TOKEN_VALID_DAYS = env.int("API_TOKEN_VALID_DAYS", default=365)
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=API_TOKEN_VALID_DAYS),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "voiceassist API",
    "DESCRIPTION": "Customers, uploads, campaigns and calls of the loan-collections voice assistant.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids from what follows /api/v1/ ("customers", "calls_list"), not "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "calls.models.CallStatus",
        "CampaignStatusEnum": "calls.models.CampaignStatus",
        "PromiseStatusEnum": "calls.models.PromiseStatus",
        "LoanStatusEnum": "customers.models.LoanStatus",
        "UploadStatusEnum": "uploads.models.UploadStatus",
        "ProviderEnum": "calls.models.Provider",
        "DiallingProviderEnum": "calls.models.DIALLING_PROVIDERS",
        "SuppressionKindEnum": "customers.models.SuppressionKind",
        "SuppressionSourceEnum": "customers.models.SuppressionSource",
        "WorkItemKindEnum": "calls.models.WorkItemKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "voiceassist.common.api.schema_postprocess_ids",
    ],
}

# --- Celery ------------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
# Redis hands a task whose worker died (never acknowledged) to another worker once it is older than
# the visibility timeout; workers look for such tasks every ``CELERY_UNACKED_RESTORE_INTERVAL`` seconds.
# It must exceed the longest task (an upload of a million rows takes minutes), so it cannot be short:
# uploads whose worker died are carried on sooner by ``uploads.requeue`` (``UPLOAD_STALL_SECONDS``).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=30),
    "unacked_restore_throttle": 1,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in a folder shared by web, worker and beat.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # Where fanout exchanges are recorded (control commands, the worker's pidbox): not the working folder.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only once it has finished: a worker killed mid-task leaves the message
# on the broker and another worker picks it up (tasks are written to be safely re-run).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "common.worker_heartbeat", "schedule": 60.0},
    "calls-dispatch": {"task": "calls.dispatch", "schedule": env.float("CALLS_DISPATCH_EVERY_SECONDS", default=60.0)},
    "calls-reconcile": {"task": "calls.reconcile", "schedule": 5 * 60.0},
    "uploads-purge-files": {"task": "uploads.purge_files", "schedule": crontab(hour=3, minute=30)},
    "uploads-requeue": {"task": "uploads.requeue", "schedule": env.float("UPLOAD_REQUEUE_EVERY_SECONDS", default=30.0)},
    "calls-promises-review": {"task": "calls.promises_review", "schedule": crontab(hour=6, minute=0)},
    "calls-recordings-purge": {"task": "calls.recordings_purge", "schedule": crontab(hour=4, minute=0)},
    "exports-expire": {"task": "exports.expire", "schedule": crontab(minute=15)},
}

# --- Logging -----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Uploads -----------------------------------------------------------------------------------

# Rows written per transaction; progress and the resume point move once per batch.
UPLOAD_BATCH_SIZE = env.int("UPLOAD_BATCH_SIZE", default=5000)
UPLOAD_MAX_FILE_MB = env.int("UPLOAD_MAX_FILE_MB", default=200)
# What one file may hold (CSV and XLSX); beyond it the upload fails, saying where, before any row is written.
# Rows: Excel's own maximum. Cells: Excel's own maximum (CSV cells are also capped at 131,072 by Python's csv).
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=1_048_576)
UPLOAD_MAX_COLUMNS = env.int("UPLOAD_MAX_COLUMNS", default=500)
UPLOAD_MAX_CELL_CHARS = env.int("UPLOAD_MAX_CELL_CHARS", default=32_767)
# A workbook is a zip: checked from its directory before anything is unpacked. In all (a million rows of 8
# columns unpack to about 430 MB); per part other than the sheets, which openpyxl reads whole (shared
# strings take ~5x their size in memory); and the ratio of unpacked to packed size (real sheets: 5-30).
UPLOAD_XLSX_MAX_UNPACKED_MB = env.int("UPLOAD_XLSX_MAX_UNPACKED_MB", default=1000)
UPLOAD_XLSX_MAX_PART_MB = env.int("UPLOAD_XLSX_MAX_PART_MB", default=200)
UPLOAD_XLSX_MAX_RATIO = env.int("UPLOAD_XLSX_MAX_RATIO", default=100)
# Characters an upload entry keeps of one cell (the row as the file had it); a longer cell is cut, and says so.
UPLOAD_ENTRY_MAX_CELL_CHARS = env.int("UPLOAD_ENTRY_MAX_CELL_CHARS", default=1000)
# An upload with no sign of life for this long (no batch committed, no heartbeat) is queued again: its
# worker died, or the broker was down when it was stored.
UPLOAD_STALL_SECONDS = env.int("UPLOAD_STALL_SECONDS", default=90)
# Days an upload's original file (which holds national ids) is kept once the upload is finished; a
# reverted upload's file goes at once. The entries stay, with ids masked.
UPLOAD_FILE_RETENTION_DAYS = env.int("UPLOAD_FILE_RETENTION_DAYS", default=30)

# --- Exports -----------------------------------------------------------------------------------

# Up to this many rows an export is sent in the request that asks for it; more would outlast the web
# server's timeout, so they are written by a worker as an export job, to download when it is done.
EXPORT_DIRECT_MAX_ROWS = env.int("EXPORT_DIRECT_MAX_ROWS", default=10_000)
# An export job's file is deleted this many hours after it was written (checked hourly by beat).
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)

# --- Calls -------------------------------------------------------------------------------------

# The provider used when a campaign names none: "simulated" (no telephone line needed), "twilio", "exotel".
CALLS_DEFAULT_PROVIDER = env("CALLS_DEFAULT_PROVIDER", default="simulated")
# The calling rules are the law's (calls/compliance/rules: India's RBI hours, the US FDCPA and
# Regulation F, state overlays). Settings may only tighten them, per country or US state, e.g.
# {"IN": {"window": "09:00-18:00", "max_attempts_per_day": 2}, "US-NY": {"max_attempts_per_7_days": 6}}.
# Startup refuses any value that would widen the law.
COMPLIANCE_OVERRIDES = env.json("COMPLIANCE_OVERRIDES", default={})
# A customer on the line is tried again this many minutes later.
CALLS_LIVE_CALL_RETRY_MINUTES = env.int("CALLS_LIVE_CALL_RETRY_MINUTES", default=10)
# Due calls the dispatcher judges per pass; a tick takes passes until every free slot is used or nothing
# due is left (at most CALLS_DISPATCH_MAX_PASSES), so a blocked backlog never starves calls that may dial.
CALLS_DISPATCH_BATCH = env.int("CALLS_DISPATCH_BATCH", default=1000)
CALLS_DISPATCH_MAX_PASSES = env.int("CALLS_DISPATCH_MAX_PASSES", default=20)
# A queued call's message expires after this many seconds: a stale one never dials; the call goes back
# to the dispatcher, which asks the guard again.
CALLS_QUEUE_EXPIRES_SECONDS = env.int("CALLS_QUEUE_EXPIRES_SECONDS", default=120)
# Calls still live this many minutes after they were placed are checked with the provider (their
# webhooks may have been lost); after CALLS_LOST_AFTER_MINUTES without an answer they are closed as lost.
CALLS_RECONCILE_AFTER_MINUTES = env.int("CALLS_RECONCILE_AFTER_MINUTES", default=15)
CALLS_LOST_AFTER_MINUTES = env.int("CALLS_LOST_AFTER_MINUTES", default=120)
# Attempts that never reached the network (the provider refused or could not be reached) do not use up
# the retry budget; after this many in a row about one loan in one campaign, the campaign gives up on it.
CALLS_MAX_FAILURES_BEFORE_DIAL = env.int("CALLS_MAX_FAILURES_BEFORE_DIAL", default=3)
# Calls in flight at once, per provider.
CALLS_CONCURRENCY = {
    "simulated": env.int("CALLS_CONCURRENCY_SIMULATED", default=20),
    "twilio": env.int("CALLS_CONCURRENCY_TWILIO", default=10),
    "exotel": env.int("CALLS_CONCURRENCY_EXOTEL", default=10),
}

# --- The conversation (calls/conversation) ------------------------------------------------------
# Defaults for what the bot says; each campaign may set its own.
VOICE_LENDER_NAME = env("VOICE_LENDER_NAME", default="VoiceAssist Finance")
VOICE_CONTACT_PERSON = env("VOICE_CONTACT_PERSON", default="Priya Sharma")
VOICE_CALLBACK_NUMBER = env("VOICE_CALLBACK_NUMBER", default="18001234567")
# Agents' line for warm transfers; empty: a borrower who asks for an agent gets a callback work item.
VOICE_TRANSFER_NUMBER = env("VOICE_TRANSFER_NUMBER", default="")
# Agents take transfers within these hours on these weekdays (0 Monday … 6 Sunday), the office's time (TIME_ZONE).
VOICE_AGENT_HOURS = tuple(
    datetime.strptime(part.strip(), "%H:%M").time()
    for part in env("VOICE_AGENT_HOURS", default="09:30-18:00").split("-")
)
VOICE_AGENT_WEEKDAYS = frozenset(env.list("VOICE_AGENT_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4, 5]))
# Promises to pay (whoever takes them): at most this many days ahead (the bot hands a later date to an
# agent), and judged by payments up to their date plus these grace days.
PROMISE_HORIZON_DAYS = env.int("PROMISE_HORIZON_DAYS", default=30)
PROMISE_GRACE_DAYS = env.int("PROMISE_GRACE_DAYS", default=3)
# "Call me later" with no time named: this many hours later (the guard may move it).
VOICE_CALLBACK_DEFAULT_HOURS = env.int("VOICE_CALLBACK_DEFAULT_HOURS", default=2)
# Recordings are deleted from the provider (and their links from calls) after this many days.
VOICE_RECORDING_RETENTION_DAYS = env.int("VOICE_RECORDING_RETENTION_DAYS", default=90)

# The address providers reach this service at, for status callbacks and voice scripts.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# The simulated provider signs its webhooks like a real one, with this key.
SIMULATED_WEBHOOK_SECRET = env("SIMULATED_WEBHOOK_SECRET", default="insecure-local-simulated-webhook-secret")
# Seed of the simulated provider's outcomes: the same seed gives the same outcome for the same call.
SIMULATED_SEED = env.int("SIMULATED_SEED", default=2026)
# Seconds the simulated provider waits between the events of one call.
SIMULATED_EVENT_DELAY = env.float("SIMULATED_EVENT_DELAY", default=2.0)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
EXOTEL_ACCOUNT_SID = env("EXOTEL_ACCOUNT_SID", default="")
EXOTEL_API_KEY = env("EXOTEL_API_KEY", default="")
EXOTEL_API_TOKEN = env("EXOTEL_API_TOKEN", default="")
EXOTEL_SUBDOMAIN = env("EXOTEL_SUBDOMAIN", default="api.exotel.com")
EXOTEL_CALLER_ID = env("EXOTEL_CALLER_ID", default="")
EXOTEL_FLOW_ID = env("EXOTEL_FLOW_ID", default="")
# Exotel signs nothing: its callbacks carry this token in the URL, compared in constant time.
EXOTEL_WEBHOOK_TOKEN = env("EXOTEL_WEBHOOK_TOKEN", default="insecure-local-exotel-webhook-token")

# --- Speech understanding (calls.understanding): "rules" (local, default) or "llm" (an OpenAI-compatible
# chat server such as vLLM, llama.cpp or Ollama; any failure falls back to the rules). The API key is sent
# as a Bearer token and never logged.
UNDERSTANDING_BACKEND = env("UNDERSTANDING_BACKEND", default="rules")
UNDERSTANDING_LLM_URL = env("UNDERSTANDING_LLM_URL", default="")
UNDERSTANDING_LLM_MODEL = env("UNDERSTANDING_LLM_MODEL", default="")
UNDERSTANDING_LLM_API_KEY = env("UNDERSTANDING_LLM_API_KEY", default="")
UNDERSTANDING_LLM_TIMEOUT_SECONDS = env.float("UNDERSTANDING_LLM_TIMEOUT_SECONDS", default=2.0)

# --- Figures: a payment on a loan counts as collected by the latest contact (a call someone answered) about
# that loan within this many days before it.
PAYMENTS_ATTRIBUTION_DAYS = env.int("PAYMENTS_ATTRIBUTION_DAYS", default=30)

# --- Payments (payments/): links by SMS, gateway webhooks ------------------------------------------
# "simulated" (the default: no money moves) or "razorpay" (Payment Links).
PAYMENTS_GATEWAY = env("PAYMENTS_GATEWAY", default="simulated")
# A promise to pay gets a payment link by SMS on its own (off: agents and the API still send links).
PAYMENTS_LINK_ON_PROMISE = env.bool("PAYMENTS_LINK_ON_PROMISE", default=True)
PAYMENT_LINK_VALID_DAYS = env.int("PAYMENT_LINK_VALID_DAYS", default=7)
RAZORPAY_KEY_ID = env("RAZORPAY_KEY_ID", default="")
RAZORPAY_KEY_SECRET = env("RAZORPAY_KEY_SECRET", default="")
# The secret set on the webhook in Razorpay's dashboard (not the API key's secret).
RAZORPAY_WEBHOOK_SECRET = env("RAZORPAY_WEBHOOK_SECRET", default="")
# The simulated gateway pays this share of links (seeded by SIMULATED_SEED and the link), this many
# seconds after the link is made; it signs its events with SIMULATED_WEBHOOK_SECRET.
SIMULATED_PAYMENT_SHARE = env.float("SIMULATED_PAYMENT_SHARE", default=0.6)
SIMULATED_PAYMENT_DELAY = env.float("SIMULATED_PAYMENT_DELAY", default=30.0)
# "simulated" (the default), "twilio" or "exotel"; the credentials are the calls' ones.
SMS_PROVIDER = env("SMS_PROVIDER", default="simulated")
TWILIO_SMS_FROM = env("TWILIO_SMS_FROM", default="")
# Exotel's sender: an ExoPhone or an approved sender id; the DLT ids of the registered sender and template.
EXOTEL_SMS_FROM = env("EXOTEL_SMS_FROM", default="")
EXOTEL_SMS_DLT_ENTITY_ID = env("EXOTEL_SMS_DLT_ENTITY_ID", default="")
EXOTEL_SMS_DLT_TEMPLATE_ID = env("EXOTEL_SMS_DLT_TEMPLATE_ID", default="")

# --- Dates typed into forms where no language is active (Django's fallback); otherwise the formats module of
# LANGUAGE_CODE (``voiceassist/formats/en_IN``) decides, for every form. The same list either way.
DATE_INPUT_FORMATS = IN_FORMATS.DATE_INPUT_FORMATS
