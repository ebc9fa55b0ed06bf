"""Production settings for the benchmark and fault stacks on loopback: the production configuration
(DEBUG off, PostgreSQL, Redis broker and cache, secure headers) but plain HTTP on 127.0.0.1, so the
load generator keeps its session cookie. Never for a real deployment."""

import os

os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from config.settings.production import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/minute"}}  # noqa: F405
ROOT_URLCONF = "bench.urls"
