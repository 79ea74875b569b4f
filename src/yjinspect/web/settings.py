"""Django settings, read from the environment so one file serves a laptop and production.

SQLite is the embedded default (`make run`); set DATABASE_URL for PostgreSQL. Production sets
YJ_PRODUCTION=1, which turns on every secure-cookie and HTTPS setting `check --deploy` wants.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parents[2]
VAR_DIR = Path(os.environ.get("YJ_VAR_DIR", PROJECT_ROOT / "var"))

PRODUCTION = os.environ.get("YJ_PRODUCTION") == "1"
DEBUG = os.environ.get("YJ_DEBUG", "0" if PRODUCTION else "1") == "1"
_DEV_KEY = "dev-only-not-secret-yjinspect-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = os.environ.get("YJ_SECRET_KEY", "" if PRODUCTION else _DEV_KEY)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("YJ_SECRET_KEY must be set to at least 50 random characters")
ALLOWED_HOSTS = os.environ.get("YJ_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_forms_gds",
    "yjinspect.web.accounts",
    "yjinspect.web.inspections",
    "yjinspect.web.improvement",
    "yjinspect.web.outcomes",
    "yjinspect.web.comparison",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # ?lang=cy|en on any page switches the language and keeps it in the language cookie.
    "yjinspect.web.accounts.middleware.SwitchLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yjinspect.web.accounts.middleware.KeepPostOnTimeoutMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After django-otp (is this sign-in verified?) and messages (it says why it redirects).
    "yjinspect.web.accounts.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yjinspect.web.urls"
WSGI_APPLICATION = "yjinspect.web.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'yjinspect.sqlite3'}",
        conn_max_age=int(os.environ.get("YJ_CONN_MAX_AGE", "60")),
    )
}
# Each request is one transaction: a failure half-way leaves nothing half-written.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# SQLite (the `make run` default) with several people saving at once: WAL lets pages read
# while one request writes; each request's transaction takes the write lock when it begins
# (IMMEDIATE), so a second writer waits up to `timeout` seconds for it instead of failing at
# once with "database is locked" (a deferred transaction that read first cannot wait).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "inspections:home"
LOGOUT_REDIRECT_URL = "accounts:login"


def _networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (`127.0.0.1,10.0.0.0/24`) from the environment;
    a bad one stops the app at start, naming the variable."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as error:
        raise RuntimeError(f"{name}: {error}") from None


# The reverse proxies in front of the app (docs/deploying.md). Only a request arriving from one
# of them has its X-Forwarded-For believed, and only as far as they wrote it; unset, the header
# is ignored (accounts/addresses.py).
YJ_TRUSTED_PROXIES = _networks("YJ_TRUSTED_PROXIES")

# Login throttling (django-axes): five failures lock that username from that client address
# (the real one behind our proxies) for 15 minutes; other addresses can still sign in as it.
# Tries during the lock do not lengthen it, so the time the locked-out page gives holds.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "yjinspect.web.accounts.addresses.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "yjinspect.web.accounts.views.locked_out"
AXES_ENABLED = os.environ.get("YJ_AXES", "1") == "1"
# Two-factor sign-in for everyone: on by default in production. A signed-in user without a
# one-time-code app reaches only the Security page (to add one) until their sign-in is verified.
YJ_REQUIRE_TWO_FACTOR = os.environ.get("YJ_REQUIRE_TWO_FACTOR", "1" if PRODUCTION else "0") == "1"

OTP_TOTP_ISSUER = "yjinspect"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Django's "en" formats are American (04/11/2026 would be 11 April): ours are British.
FORMAT_MODULE_PATH = ["yjinspect.web.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files from the apps (WhiteNoise finders); production collects them.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
# Uploaded evidence documents and checked case-list previews: the only files the app keeps.
# On one server they live under MEDIA_ROOT; with more than one, set YJ_S3_BUCKET so every app
# server reads and writes the same S3-compatible bucket (django-storages; credentials come from
# the usual AWS_* variables or the machine's role), leaving the servers stateless.
S3_BUCKET = os.environ.get("YJ_S3_BUCKET", "")
_FILES: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    _FILES = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": os.environ.get("YJ_S3_PREFIX", "yjinspect"),
            "endpoint_url": os.environ.get("YJ_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("YJ_S3_REGION") or None,
            "default_acl": "private",
            "file_overwrite": False,  # a clash gets a new name, never replaces a document
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
STORAGES = {
    "default": _FILES,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = "/uploads/"  # never served directly: downloads go through a permission check
# Documents about children: readable by the app's user and its group (backups), nobody else.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# The cache holds rendered report PDFs (services/report_cache.py). Each process keeps its own
# by default; YJ_CACHE_TABLE shares one through the database, so with several app servers a
# report laid out once is served by all (create the table with `manage.py createcachetable`).
if os.environ.get("YJ_CACHE_TABLE"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": os.environ["YJ_CACHE_TABLE"],
        }
    }

# Upload limits: the largest case list or evidence document we accept.
YJ_MAX_UPLOAD_BYTES = int(os.environ.get("YJ_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

SESSION_COOKIE_AGE = int(os.environ.get("YJ_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The language chosen with ?lang= (SwitchLanguageMiddleware); no script needs to read it.
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("YJ_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content security policy (django-csp 4): only our own origin; inline scripts need a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Flash messages ("Saved.") ride in a signed cookie, falling back to the session when long:
# Django's default. Keeping them in the session cost two session writes for every save.
# They carry case references at most, never a child's name (none is stored).
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YJ_LOG_LEVEL", "WARNING")},
}
