"""Test profile: SQLite by default, PostgreSQL when DATABASE_URL is set (make test runs both)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import XINFANG

SECRET_KEY = "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
XINFANG["DEMO"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; prod uses Argon2
MEDIA_ROOT = Path(
    os.environ.get("XINFANG_TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="xinfang-test-media-")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if os.environ.get("XINFANG_TEST_TASKS") == "database":  # real workers in the fault tests
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
