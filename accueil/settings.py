"""Django settings, read from the environment through the strict helpers of accueil.lib.env.

Every variable is documented in `.env.example` and `docs/configuration.md`. Agency policy
(hours, standards, wording) lives in the database, never here.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from accueil.lib.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)
from accueil.lib.netguard import BlockedDestination, check_permitted
from accueil.lib.quiet import parse_window

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# pytest (8.2 and later) sets PYTEST_VERSION, so a test run never needs to be told it is one.
_DEFAULT_ENVIRONMENT = "test" if "PYTEST_VERSION" in os.environ else "development"
ENVIRONMENT = env_choice("ACCUEIL_ENV", ("development", "test", "production"), _DEFAULT_ENVIRONMENT)
PRODUCTION = ENVIRONMENT == "production"
DATA_DIR = Path(env_str("ACCUEIL_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()

# Off unless asked for, even in development: `make run` shows the bilingual error pages a citizen
# would see, not Django's English traceback page (ACCUEIL_DEBUG=true brings that back).
DEBUG = env_bool("ACCUEIL_DEBUG")
SECRET_KEY = env_str("ACCUEIL_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ConfigurationError("ACCUEIL_SECRET_KEY must be set when ACCUEIL_ENV=production")
    SECRET_KEY = "insecure-development-key-never-use-in-production-" + "x" * 20
# Earlier keys, while rotating: sessions and the links that carry a visit's or an appointment's
# secret (core.capabilities) stay valid until these are removed.
SECRET_KEY_FALLBACKS = env_list("ACCUEIL_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ACCUEIL_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigurationError("ACCUEIL_ALLOWED_HOSTS must be set when ACCUEIL_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("ACCUEIL_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("ACCUEIL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accueil.core.apps.AccueilAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Only for the interactive API documentation's template and Swagger UI files (served here).
    "ninja",
    "axes",
    "accueil.core",
    "accueil.accounts",
    "accueil.catalog",
    "accueil.notify",
    "accueil.queues",
    "accueil.cases",
    "accueil.open311",
    "accueil.feedback",
    "accueil.insights",
    "accueil.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accueil.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accueil.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "accueil.api.middleware.ApiErrorShapeMiddleware",
    "accueil.open311.middleware.Open311ErrorShapeMiddleware",
    "accueil.core.uploads.UploadLimitMiddleware",
    "accueil.core.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accueil.core.actions.ActionErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accueil.urls"
WSGI_APPLICATION = "accueil.wsgi.application"
ASGI_APPLICATION = "accueil.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accueil.core.context_processors.shell",
            ],
        },
    },
]

# -- database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL is set -------------------

DATABASE_URL = env_str("DATABASE_URL")
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
    # instead of failing with "database is locked" half-way through a transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("ACCUEIL_DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "accueil.sqlite3",
            # A file, not memory, so that worker processes started by tests share it.
            "TEST": {"NAME": DATA_DIR / "test-accueil.sqlite3"},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- accounts and authentication --------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:staff-home"
LOGOUT_REDIRECT_URL = "site:home"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PRODUCTION_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASHERS = list(PRODUCTION_PASSWORD_HASHERS)
if ENVIRONMENT == "test":
    # Tests create many users; Argon2 is checked by its own test.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("ACCUEIL_SESSION_HOURS", 10, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
API_TOKEN_DAYS = env_int("ACCUEIL_API_TOKEN_DAYS", 365, minimum=1)
# A password reset link works once, for this long (Django's token generator reads it).
PASSWORD_RESET_TIMEOUT = env_int("ACCUEIL_PASSWORD_RESET_MINUTES", 60, minimum=1) * 60
# Reset requests per client address, as "count/seconds" (the GCRA bucket of core.ratelimit).
PASSWORD_RESET_RATE = env_str("ACCUEIL_PASSWORD_RESET_RATE", "5/900")

# Brute-force protection (django-axes): lock a username from one address after repeated
# failures. Client addresses come from REMOTE_ADDR only, unless a proxy is configured
# (accueil.core.ratelimit.client_address, shared with the rate limits).
AXES_FAILURE_LIMIT = env_int("ACCUEIL_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ACCUEIL_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accueil.accounts.lockout.client_ip"
# ... and per account, from every address: after this many wrong passwords, sign-in to that
# username waits 1 minute, doubling with each further failure up to the maximum; failures are
# forgotten a window after the last one. See accueil/accounts/lockout.py.
AXES_HANDLER = "accueil.accounts.lockout.AccountLockoutHandler"
AXES_LOCKOUT_CALLABLE = "accueil.accounts.lockout.lockout_response"
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("ACCUEIL_LOGIN_ACCOUNT_FAILURE_LIMIT", 10, minimum=1)
LOGIN_ACCOUNT_WINDOW = timedelta(
    minutes=env_int("ACCUEIL_LOGIN_ACCOUNT_WINDOW_MINUTES", 60, minimum=1)
)
LOGIN_ACCOUNT_MAX_DELAY = timedelta(
    minutes=env_int("ACCUEIL_LOGIN_ACCOUNT_MAX_DELAY_MINUTES", 15, minimum=1)
)
TRUSTED_PROXY_COUNT = env_int("ACCUEIL_TRUSTED_PROXY_COUNT", 0, minimum=0)
# Check-ins per client address, as "count/seconds" (0/60 turns the limit off, e.g. for a bench).
CHECK_IN_RATE = env_str("ACCUEIL_CHECK_IN_RATE", "30/60")
# Requests (cases) opened, web form and REST API alike, and citizens' replies, per client
# address, as "count/seconds".
CASE_RATE = env_str("ACCUEIL_CASE_RATE", "30/60")
# Open311 (docs/open311.md), as "count/seconds": requests opened per client address and per
# application key, and reads per client address.
OPEN311_RATE = env_str("ACCUEIL_OPEN311_RATE", "30/60")
OPEN311_APP_RATE = env_str("ACCUEIL_OPEN311_APP_RATE", "600/60")
OPEN311_READ_RATE = env_str("ACCUEIL_OPEN311_READ_RATE", "120/60")
# A request's media_url is kept as a link and never fetched, unless this is on: then the
# worker fetches it through the SSRF guard and keeps it as a staff-only attachment. Private
# networks it may reach must be listed here and in ACCUEIL_WEBHOOK_PRIVATE_NETWORKS.
OPEN311_FETCH_MEDIA = env_bool("ACCUEIL_OPEN311_FETCH_MEDIA")
OPEN311_MEDIA_PRIVATE_NETWORKS = env_list("ACCUEIL_OPEN311_MEDIA_PRIVATE_NETWORKS")
# Survey answers sent per client address, as "count/seconds" (a counter tablet sends many).
SURVEY_RATE = env_str("ACCUEIL_SURVEY_RATE", "30/60")
# Reads of the public figures (transparency page, public performance API, open-data files), per
# client address, as "count/seconds".
PUBLIC_READ_RATE = env_str("ACCUEIL_PUBLIC_READ_RATE", "120/60")
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# -- internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("ACCUEIL_TIME_ZONE", "America/Toronto")
LANGUAGE_COOKIE_NAME = "accueil_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# -- static files -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The embedded default keeps its database and collected files here; a fresh clone has neither.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# -- email: Django's own setting names as environment variables ------------------------------

# In development, email is printed by the server instead of sent (make run needs no SMTP server),
# unless an SMTP host is named: an explicit EMAIL_HOST means SMTP. EMAIL_BACKEND overrides both.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_BACKEND = env_str("EMAIL_BACKEND").strip() or (
    "django.core.mail.backends.console.EmailBackend"
    if ENVIRONMENT == "development" and not env_str("EMAIL_HOST").strip()
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Accueil <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# -- security ---------------------------------------------------------------------------------

HTTPS = env_bool("ACCUEIL_HTTPS", default=PRODUCTION)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_FAILURE_VIEW = "accueil.core.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("ACCUEIL_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is an irreversible decision for the operator's own domain.
    "security.W021",
]
# Bodies that are not multipart, and the non-file fields of multipart ones.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# -- uploads (core/uploads.py) ---------------------------------------------------------------
# Sizes in SI megabytes, as the refusal messages say them. A service may lower the per-file
# limit for its own files, never raise it.
UPLOAD_MAX_BYTES = env_int("ACCUEIL_UPLOAD_MAX_MB", 10, minimum=1) * 1_000_000
UPLOAD_REQUEST_MAX_BYTES = (
    env_int("ACCUEIL_UPLOAD_REQUEST_MAX_MB", 3 * UPLOAD_MAX_BYTES // 1_000_000, minimum=1)
    * 1_000_000
)
if UPLOAD_REQUEST_MAX_BYTES < UPLOAD_MAX_BYTES:
    raise ConfigurationError(
        "ACCUEIL_UPLOAD_REQUEST_MAX_MB must be at least ACCUEIL_UPLOAD_MAX_MB (one whole file)"
    )
FILE_UPLOAD_HANDLERS = [
    # First: counts bytes and stops an upload past the limits before anything keeps them.
    "accueil.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# -- email in (cases/mail_actions.py, docs/email.md) -----------------------------------------
# The largest message read (`accueil mail-in`, the webhook, IMAP), in SI megabytes.
MAIL_MAX_BYTES = env_int("ACCUEIL_MAIL_MAX_MB", 25, minimum=1) * 1_000_000
# Acknowledgements of new requests by email sent to one sender address in an hour.
MAIL_ACKS_PER_HOUR = env_int("ACCUEIL_MAIL_ACKS_PER_HOUR", 5, minimum=0)
# An optional mailbox polled over IMAP (`accueil manage mail_poll`, the worker's `mail-poll`).
IMAP_HOST = env_str("ACCUEIL_IMAP_HOST").strip()
IMAP_SSL = env_bool("ACCUEIL_IMAP_SSL", True)
IMAP_PORT = env_int("ACCUEIL_IMAP_PORT", 993 if IMAP_SSL else 143, minimum=1)
IMAP_USER = env_str("ACCUEIL_IMAP_USER")
IMAP_PASSWORD = env_str("ACCUEIL_IMAP_PASSWORD")
IMAP_FOLDER = env_str("ACCUEIL_IMAP_FOLDER", "INBOX")
IMAP_POLL_SECONDS = env_int("ACCUEIL_IMAP_POLL_SECONDS", 60, minimum=5)
IMAP_TIMEOUT = env_int("ACCUEIL_IMAP_TIMEOUT", 30, minimum=1)

# -- logging: one line per event, never personal data ----------------------------------------

LOG_LEVEL = env_choice("ACCUEIL_LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request logger prints URLs, which can hold tracking tokens: warnings only.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "ERROR"},  # its warnings name the username
        # With debug pages on, every SQL statement is logged at DEBUG with its parameters:
        # contacts, message bodies, usernames. Never, whatever ACCUEIL_LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
        "mail.log": {"level": "WARNING"},  # aiosmtpd (tests, bench) logs every recipient
    },
}

# -- outbox (notify) --------------------------------------------------------------------------

# A claimed message not finished within the lease goes back to the queue (its worker died).
OUTBOX_LEASE_SECONDS = env_int("ACCUEIL_OUTBOX_LEASE_SECONDS", 60, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("ACCUEIL_OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
OUTBOX_RETRY_BASE_SECONDS = env_int("ACCUEIL_OUTBOX_RETRY_BASE_SECONDS", 30, minimum=1)
OUTBOX_RETRY_CAP_SECONDS = env_int("ACCUEIL_OUTBOX_RETRY_CAP_SECONDS", 3600, minimum=1)
OUTBOX_BATCH = env_int("ACCUEIL_OUTBOX_BATCH", 50, minimum=1)
# No SMS or email storms: at most this many messages an hour to one address; more wait.
OUTBOX_PER_RECIPIENT_PER_HOUR = env_int("ACCUEIL_OUTBOX_PER_RECIPIENT_PER_HOUR", 6, minimum=1)
# Proactive messages (reminders, campaigns) wait out these hours in the office's zone.
QUIET_HOURS = env_str("ACCUEIL_QUIET_HOURS", "21:00-08:00")
try:
    parse_window(QUIET_HOURS)
except ValueError as error:
    raise ConfigurationError(f"ACCUEIL_QUIET_HOURS: {error}") from None
# Message bodies are erased this many days after sending (GC Notify keeps 7).
OUTBOX_BODY_RETENTION_DAYS = env_int("ACCUEIL_OUTBOX_BODY_RETENTION_DAYS", 7, minimum=1)
# Private networks agency administrators may open to their webhooks ("10.20.0.0/16,fd12::/48").
# Empty: webhooks reach public addresses only. Link-local and cloud metadata addresses can
# never be opened, here or by an agency (accueil.lib.netguard.NEVER).
WEBHOOK_PRIVATE_NETWORKS = env_list("ACCUEIL_WEBHOOK_PRIVATE_NETWORKS")
try:
    check_permitted(WEBHOOK_PRIVATE_NETWORKS)
except BlockedDestination as error:
    raise ConfigurationError(f"ACCUEIL_WEBHOOK_PRIVATE_NETWORKS: {error}") from None

# -- SMS provider (Twilio's Messages API shape) ------------------------------------------------

SMS_API_URL = env_str("SMS_API_URL")  # e.g. https://api.twilio.com; empty: SMS waits, unsent
SMS_ACCOUNT_ID = env_str("SMS_ACCOUNT_ID")
SMS_AUTH_TOKEN = env_str("SMS_AUTH_TOKEN")
SMS_FROM = env_str("SMS_FROM")
SMS_MAX_SEGMENTS = env_int("SMS_MAX_SEGMENTS", 3, minimum=1)

# -- API --------------------------------------------------------------------------------------

NINJA_PAGINATION_PER_PAGE = 100

# -- live displays ----------------------------------------------------------------------------

# Display streams (server-sent events) one server process holds at once, per client address
# and per office; beyond either, a new stream is answered 429 and the display polls its board.
# Per address: one building's screens stay well below 20, and one machine cannot take a
# process's connections for itself (an agency whose offices all reach the Internet through one
# address raises it). Per office: its screens plus citizens following the board on their phones
# stay below 500, what one process is measured to serve (docs/performance.md), so a flood on
# one office's board cannot take every connection.
DISPLAY_STREAMS_PER_ADDRESS = env_int("ACCUEIL_DISPLAY_STREAMS_PER_ADDRESS", 20, minimum=1)
DISPLAY_STREAMS_PER_OFFICE = env_int("ACCUEIL_DISPLAY_STREAMS_PER_OFFICE", 500, minimum=1)
