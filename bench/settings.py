"""The production profile as the benchmark serves it: config.settings.prod unchanged, plus one
bare view (bench/urls.py) that measures the framework ceiling inside the same server.

Loopback only: the harness sets SECRET_KEY, XINFANG_DATA_KEY, ALLOWED_HOSTS and DATABASE_URL
(or XINFANG_VAR_DIR for SQLite); the client sends X-Forwarded-Proto: https as nginx would.
"""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
