"""Local development and the embedded demo (`make run`)."""

import os

from .base import *  # noqa: F403
from .base import XINFANG, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = (
    os.environ.get("SECRET_KEY") or "dev-only-insecure-key-change-me-in-production-0123456789"
)
XINFANG["DEMO"] = env_bool("XINFANG_DEMO", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
