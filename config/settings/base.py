"""Settings shared by every profile. Everything a deployment changes comes from the environment.

Environment variables:
  SECRET_KEY            required in production
  DEBUG                 "1"/"true" turns debug on (dev profile default)
  ALLOWED_HOSTS         comma-separated host names
  DATABASE_URL          e.g. postgres://user:pw@127.0.0.1:5432/xinfang; default SQLite (WAL)
  XINFANG_DAY_RULE      "calendar" (default, 信访工作条例 days) or "workdays"
  XINFANG_DEMO          "1" allows seeding demo accounts with known passwords
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("XINFANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "xinfang.core",
    "xinfang.audit",
    "xinfang.org",
    "xinfang.cases",
    "xinfang.api",
    "xinfang.analytics",
    "xinfang.disputes",
    "xinfang.risk",
    "xinfang.open311",
    "xinfang.hotline",
    "xinfang.supervision",
    "xinfang.routing",
    "xinfang.notify",
    "xinfang.portal",
    "xinfang.funds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xinfang.core.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xinfang.audit.middleware.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it locks out after repeated login failures.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (GB/T 22239 level 3): 5 failures for the same user from the same address
# lock that pair for 30 minutes; every failure is also in the audit trail.
AXES_FAILURE_LIMIT = int(os.environ.get("XINFANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

OTP_TOTP_ISSUER = "Xinfang"

# Content Security Policy: only this site's own scripts, styles, images and fonts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.core.context_processors.navigation",
            ],
        },
    },
]


def database_config() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "xinfang.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing with "database is locked" mid-way.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after 30 minutes without activity (every request renews the cookie) and when
# the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("XINFANG_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Personal data at rest (xinfang.core.crypto): base64 of 32 random bytes; cipher "aes" or "sm4".
XINFANG_DATA_KEY = os.environ.get("XINFANG_DATA_KEY", "")
XINFANG_DATA_CIPHER = os.environ.get("XINFANG_DATA_CIPHER", "aes")

# Domain configuration (see docs/domain.md). Defaults follow 信访工作条例 (2022).
XINFANG = {
    "COUNTY_CODE": os.environ.get("XINFANG_COUNTY_CODE", "530423"),
    "DAY_RULE": os.environ.get("XINFANG_DAY_RULE", "calendar"),
    # 群众评价 window after the answer; no public text fixes it (DOMAIN.md §4).
    "EVALUATION_WINDOW_DAYS": int(os.environ.get("XINFANG_EVALUATION_WINDOW_DAYS", "30")),
    "DUE_SOON_WORKING_DAYS": 3,
    "DEMO": env_bool("XINFANG_DEMO"),
}

# Disputes, risk assessment and zero reports (xinfang.disputes, xinfang.risk): local practice
# and our own choices, with the defaults of xinfang/disputes/conf.py (docs/disputes.md).
XINFANG_DISPUTES = {
    "RESOLVE_DAYS": int(os.environ.get("XINFANG_DISPUTE_RESOLVE_DAYS", "30")),
    "ZERO_REPORT_DUE_HOUR": int(os.environ.get("XINFANG_ZERO_REPORT_DUE_HOUR", "24")),
}

# Open311 GeoReport v2 (xinfang.open311, docs/open311.md) and 12345 hotline work orders
# (xinfang.hotline, docs/hotline-import.md). Hotline time limits: DOMAIN.md §2 defaults
# (Weifang and Jinan rules); the hotline centre sets its own.
XINFANG_OPEN311 = {
    "JURISDICTION_IDS": env_list("XINFANG_OPEN311_JURISDICTIONS", "530423"),
    "SERVICE_TYPE": os.environ.get("XINFANG_OPEN311_SERVICE_TYPE", "realtime"),
}
XINFANG_HOTLINE = {
    "URGENT_FEEDBACK_HOURS": int(os.environ.get("XINFANG_HOTLINE_URGENT_HOURS", "2")),
    "ORDINARY_WORKING_DAYS": int(os.environ.get("XINFANG_HOTLINE_ORDINARY_DAYS", "5")),
    "CONSULTATION_WORKING_DAYS": int(os.environ.get("XINFANG_HOTLINE_CONSULTATION_DAYS", "1")),
}

# Supervision and quality inspection (xinfang.supervision, docs/supervision.md): local practice
# and our own choices, defaults in xinfang/supervision/conf.py. The escalation ladder is data
# (rules edited by an administrator), not settings.
XINFANG_SUPERVISION = {
    "QUALITY_SAMPLE_RATE": float(os.environ.get("XINFANG_QUALITY_SAMPLE_RATE", "0.2")),
    "QUALITY_PASS_MARK": int(os.environ.get("XINFANG_QUALITY_PASS_MARK", "80")),
    "REWORK_WORKING_DAYS": int(os.environ.get("XINFANG_REWORK_WORKING_DAYS", "10")),
    "BACKLOG_OPEN_DAYS": int(os.environ.get("XINFANG_BACKLOG_OPEN_DAYS", "90")),
}

# REST API (xinfang.api, docs/api.md): JSON only, bearer tokens for systems and the session for
# the browser; each view declares its capability; every error is {"code": ..., "message": ...}.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "xinfang.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["xinfang.api.permissions.DeclaredCapability"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "xinfang.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Xinfang REST API",
    "DESCRIPTION": "Staff actions of the petition case lifecycle (信访事项), cases and reference "
    "data. Errors: {code, message}.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["xinfang.api.permissions.DeclaredCapability"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LegalChannelEnum": "xinfang.cases.models.LegalChannel",
        "OutcomeEnum": "xinfang.cases.models.Outcome",
        "RatingEnum": "xinfang.cases.models.Rating",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Routing suggestions and repeat detection (xinfang.routing, docs/routing.md); defaults in
# xinfang/routing/conf.py. Models are versioned files in XINFANG_ROUTING_MODEL_DIR.
XINFANG_ROUTING = {
    "MODEL_DIR": os.environ.get("XINFANG_ROUTING_MODEL_DIR") or VAR_DIR / "models",
    "MIN_MACRO_F1": float(os.environ.get("XINFANG_ROUTING_MIN_MACRO_F1", "0.90")),
}

# Citizen portal (xinfang.portal, docs/portal.md) and notifications to citizens
# (xinfang.notify, docs/notifications.md); defaults in xinfang/portal/conf.py and
# xinfang/notify/conf.py. The portal's look-up throttle needs a cache shared by every process:
# the database cache (table created by the portal's migrations) unless set otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "xinfang_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
XINFANG_PORTAL = {
    "THROTTLE_CACHE": os.environ.get("XINFANG_PORTAL_THROTTLE_CACHE", "shared"),
    "LOOKUP_FAILURE_LIMIT": int(os.environ.get("XINFANG_PORTAL_LOOKUP_FAILURES", "5")),
    "LOOKUP_WINDOW_SECONDS": int(os.environ.get("XINFANG_PORTAL_LOOKUP_WINDOW", "900")),
    "LOOKUP_LOCKOUT_SECONDS": int(os.environ.get("XINFANG_PORTAL_LOOKUP_LOCKOUT", "900")),
}
XINFANG_NOTIFY = {
    "SMS_BACKEND": os.environ.get(
        "XINFANG_SMS_BACKEND", "xinfang.notify.backends.LoggingSMSBackend"
    ),
    "SMS_GATEWAY_URL": os.environ.get("XINFANG_SMS_GATEWAY_URL", ""),
    "SMS_GATEWAY_TOKEN": os.environ.get("XINFANG_SMS_GATEWAY_TOKEN", ""),
    "FROM_EMAIL": os.environ.get("XINFANG_NOTIFY_FROM_EMAIL", ""),
    "PORTAL_URL": os.environ.get("XINFANG_PORTAL_URL", ""),
}
# E-mail through Django's framework: SMTP when EMAIL_HOST is set, else printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "15"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xinfang@localhost")

# The queue index (cases.Case Meta) carries the id as a covering column on PostgreSQL; SQLite
# has it as the rowid anyway and says so with W040 at every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
