"""Test settings: whatever DATABASE_URL and CELERY_BROKER_URL the environment gives (CI: PostgreSQL, Redis)."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)

# A file, not memory, so that a real Celery worker process (tests/celery_support.py) sees the test data.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# CI creates this role (NOLOGIN, granted to the test user); tests/staff/test_rls.py runs as it.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="stabil_app")
