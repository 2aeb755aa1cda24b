"""Production profile. Every secret and host comes from the environment; nothing is seeded.

Required: SECRET_KEY (>= 50 characters), ALLOWED_HOSTS, DATABASE_URL (PostgreSQL recommended).
Put a TLS-terminating reverse proxy (nginx) in front; it must set X-Forwarded-Proto.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import XINFANG, env_bool

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")
if not os.environ.get("XINFANG_DATA_KEY"):
    raise ImproperlyConfigured(
        "XINFANG_DATA_KEY must be set (base64 of 32 random bytes): it encrypts ID and phone "
        "numbers. Keep it in a safe place: data encrypted with it cannot be read without it."
    )
XINFANG["DEMO"] = False  # demo passwords are never seeded in production

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
