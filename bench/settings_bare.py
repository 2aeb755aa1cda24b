"""Framework ceiling without the site: one view, no apps, no middleware, no database."""

SECRET_KEY = "bench-bare-loopback-only"  # noqa: S105 (serves one constant page on loopback)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.urls_bare"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
