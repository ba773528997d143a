"""The one settings module. Everything that differs between machines comes from
the environment (see README "Configuration" and .env.example).

With no environment at all (and DEBUG on) the service runs embedded: SQLite
under var/, tasks in-process, SMS printed to the console sandbox.
"""

import importlib.util
import re
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# Dev-safe values only when DEBUG is on: a production start without a secret
# key must fail loudly rather than sign sessions with a known key.
if "SECRET_KEY" in env.ENVIRON:
    SECRET_KEY = env.str("SECRET_KEY")
elif DEBUG:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
else:
    raise ImproperlyConfigured("SECRET_KEY is missing: set it in the environment (or set DEBUG=true for local development).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI locally instead of from a CDN
    "accounts",
    "records",
    "checkins",
    "coverage",
    "alerts",
    "inbox",
    "care",
    "sms",
    "web",
]
# Development tools (`manage.py simulate`) exist in a checkout with DEBUG on; the image has no devtools/.
if DEBUG and importlib.util.find_spec("devtools") is not None:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # Answers /healthz before the host check and the HTTPS redirect, so the
    # compose and load-balancer probes work over plain HTTP on 127.0.0.1.
    "config.health.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.caching.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded server answers each request in its own thread and runs a
    # scheduler thread beside them, all writing. Every transaction takes the
    # write lock when it begins (IMMEDIATE), where SQLite waits up to
    # `timeout` for it; a transaction that began as a reader and then writes
    # fails at once with "database is locked" instead, whatever the timeout
    # (16 members texting at once: 356 of 400 webhooks answered 500). WAL lets
    # pages be read while a text is being written.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL;",
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # psycopg prepares nothing while this is None (Django's default);
        # config/plain_sql.py prepares the inbound path's statements. The ORM's
        # own cursors bind on the client and never prepare, so nothing else
        # changes (docs/performance.md).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# gunicorn serves the few static files itself (API docs, the web app's CSS and
# JS), straight from the apps: no collectstatic step, no CDN.
WHITENOISE_USE_FINDERS = True

AUTHENTICATION_BACKENDS = ["accounts.throttle.ThrottledModelBackend"]

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Secure cookies whenever the service is not in development mode.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and PUBLIC_BASE_URL.startswith("https://"):
    # Behind the TLS proxy: the proxy must set X-Forwarded-Proto (and strip any
    # value a client sent). Plain-HTTP requests are redirected to HTTPS, except
    # the health probe and Twilio's webhooks (a redirected POST loses its body;
    # their signatures are checked against PUBLIC_BASE_URL either way).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^sms/twilio/"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_REFERRER_POLICY = "same-origin"

# The client address used by sign-in throttling: REMOTE_ADDR, unless this many
# trusted proxies in front of the service append to X-Forwarded-For (then the
# address the outermost trusted proxy saw). Never trust the header without them:
# anyone can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front.")

# The API schema (/api/v1/openapi.json) is public only when this is on; the
# docs page (/api/v1/docs) is always for signed-in staff.
API_SCHEMA_PUBLIC = env.bool("API_SCHEMA_PUBLIC", default=DEBUG)

# Bodies larger than this are refused with 400 before any view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# --- Tasks -------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without Redis, tasks run in the calling process; the embedded scheduler
# (checkins.management.commands.runlocal) stands in for beat.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Short visibility timeout is safe: no task here is long or scheduled far ahead
# (timers live in the database), so a redelivery only repeats a fenced step.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    # Sending a task while Redis is down fails within ~0.1 s instead of ~6 s;
    # config.dispatch then runs it in-process or leaves it to the sweep, so a
    # webhook is neither held nor failed by a broker outage.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_TIMEZONE = "UTC"

# --- SMS -----------------------------------------------------------------------

# With DEBUG off there is no default: a production start must say how it texts.
if "SMS_BACKEND" in env.ENVIRON:
    SMS_BACKEND = env.str("SMS_BACKEND")
elif DEBUG:
    SMS_BACKEND = "console"
else:
    raise ImproperlyConfigured(
        "SMS_BACKEND is missing: set it to 'twilio' (or 'console' to print texts instead of sending them)."
    )
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="").rstrip("/")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)
SMS_MESSAGES_PER_SECOND = env.float("SMS_MESSAGES_PER_SECOND", default=1.0)

# How many delivery loops may send at once across all workers. One loop sends
# a few texts a second per sender; raise it for short codes (100/s).
OUTBOX_SENDERS = env.int("OUTBOX_SENDERS", default=2)
# How long a worker's claim on a text lasts before another may take it over.
# It must outlast one call to Twilio, or a slow call could be sent twice.
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=TWILIO_TIMEOUT_SECONDS + 20)
if OUTBOX_LEASE_SECONDS <= TWILIO_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("OUTBOX_LEASE_SECONDS must be longer than TWILIO_TIMEOUT_SECONDS.")

if SMS_BACKEND not in ("console", "twilio"):
    raise ImproperlyConfigured(f"SMS_BACKEND must be 'twilio' or 'console', not {SMS_BACKEND!r}.")
if SMS_BACKEND == "twilio":
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        if not globals()[name]:
            raise ImproperlyConfigured(f"{name} is missing: SMS_BACKEND=twilio needs it.")
    if not (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID):
        raise ImproperlyConfigured(
            "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is missing: SMS_BACKEND=twilio needs a sender."
        )
if SMS_MESSAGES_PER_SECOND <= 0:
    raise ImproperlyConfigured("SMS_MESSAGES_PER_SECOND must be a positive number.")

# The SMS sandbox (/sandbox/: phones on screen that text the real webhook)
# exists only with the console backend, and with DEBUG off only when
# SMS_SANDBOX=true is set on purpose (unsafe in production: staff can then
# text as any member of their organization).
SMS_SANDBOX = env.bool("SMS_SANDBOX", default=DEBUG and SMS_BACKEND == "console")
if SMS_SANDBOX and SMS_BACKEND != "console":
    raise ImproperlyConfigured("SMS_SANDBOX=true needs SMS_BACKEND=console.")
# The sandbox signs its webhooks in-process, so with no configured token it
# uses a random one per process: there is no known, constant token anywhere.
# Without the sandbox and without TWILIO_AUTH_TOKEN, every webhook is refused.
if not TWILIO_AUTH_TOKEN and SMS_SANDBOX:
    TWILIO_AUTH_TOKEN = secrets.token_urlsafe(32)

# --- Logging -------------------------------------------------------------------
# Message bodies, answers and full phone numbers never reach the logs. The
# Twilio SDK logs response bodies (which echo the message) at INFO: keep it quiet.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (400, 403, 404, 413 …) is logged as one line, never with a
    # traceback: on the handler for every logger (django.security.* included),
    # and on django.request itself so that every other handler sees it too.
    "filters": {"refusals_without_traceback": {"()": "config.request_log.RefusalsWithoutTraceback"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["refusals_without_traceback"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["refusals_without_traceback"]},
        "twilio": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Numbers typed without a country code are read in this region.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US")

# Login throttling and the embedded send-rate bucket use the cache; with Redis
# it is shared by every process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Sign-in throttling (accounts/throttle.py) ----------------------------------
# One throttle for the web sign-in, POST /api/v1/auth/token and /admin/. Failed
# sign-ins are counted per email from one client address, per client address
# over all emails, and per email from anywhere (which never slows a client that
# signed in to that email before). Past the allowance each further failure
# doubles the wait, from LOGIN_BACKOFF_SECONDS up to LOGIN_BACKOFF_MAX_SECONDS:
# a back-off, never a permanent lock.
LOGIN_FAILURES_ALLOWED = env.int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_IP_FAILURES_ALLOWED = env.int("LOGIN_IP_FAILURES_ALLOWED", default=30)
LOGIN_ACCOUNT_FAILURES_ALLOWED = env.int("LOGIN_ACCOUNT_FAILURES_ALLOWED", default=20)
LOGIN_BACKOFF_SECONDS = env.int("LOGIN_BACKOFF_SECONDS", default=60)
LOGIN_BACKOFF_MAX_SECONDS = env.int("LOGIN_BACKOFF_MAX_SECONDS", default=900)
for _name in ("LOGIN_FAILURES_ALLOWED", "LOGIN_IP_FAILURES_ALLOWED", "LOGIN_ACCOUNT_FAILURES_ALLOWED",
              "LOGIN_BACKOFF_SECONDS", "LOGIN_BACKOFF_MAX_SECONDS"):  # fmt: skip
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number of at least 1.")

# --- API tokens ------------------------------------------------------------------
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
# Reminders to supervisors come every acknowledgement timeout, but never
# closer together than this (alerts.escalation): a 60-second timeout must not
# text supervisors every minute.
REMINDER_MIN_SECONDS = env.int("REMINDER_MIN_SECONDS", default=600)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be a whole number of days, at least 1.")

# --- Retention ------------------------------------------------------------------
# Message bodies (and the words of answers) older than this many days are
# removed by the daily retention task (checkins.retention, docs/privacy.md);
# 0 keeps them. Alerts, events, consent, disclosure and access records are kept.
MESSAGE_RETENTION_DAYS = env.int("MESSAGE_RETENTION_DAYS", default=0)
if MESSAGE_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("MESSAGE_RETENTION_DAYS must be 0 (keep) or a whole number of days.")

# --- Placeholders ------------------------------------------------------------------
# The values .env.example ships with are examples, not secrets: with DEBUG off
# a setting still holding one refuses to start, naming the variable.
PLACEHOLDER_PATTERNS = (r"change-?me", r"^your-", r"^(AC|MG)x{8,}$")
if not DEBUG:
    _checked = {
        "SECRET_KEY": SECRET_KEY,
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": TWILIO_MESSAGING_SERVICE_SID,
        "TWILIO_FROM_NUMBER": TWILIO_FROM_NUMBER,
        "POSTGRES_PASSWORD (in DATABASE_URL)": DATABASES["default"].get("PASSWORD") or "",
    }
    for _name, _value in _checked.items():
        if any(re.search(pattern, str(_value), re.IGNORECASE) for pattern in PLACEHOLDER_PATTERNS):
            raise ImproperlyConfigured(
                f"{_name} still holds the placeholder from .env.example: set a real value."
            )
