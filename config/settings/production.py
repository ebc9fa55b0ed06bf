"""Production: every secret and address from the environment; refuse to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env


def _required(name: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"Setting {name} is required in production and is missing or empty.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("Setting SECRET_KEY must be a random value of at least 50 characters.")
if FIELD_ENCRYPTION_KEY:  # noqa: F405 - from base: the key of secrets kept in the database (staff/platform/secrets.py)
    from cryptography.fernet import Fernet

    try:
        Fernet(FIELD_ENCRYPTION_KEY.encode())  # noqa: F405
    except ValueError as exc:
        raise ImproperlyConfigured(
            "Setting FIELD_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes), e.g. from "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        ) from exc
ALLOWED_HOSTS = [h for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
_required("DATABASE_URL")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Setting DATABASE_URL must point at PostgreSQL in production.")
CELERY_BROKER_URL = _required("CELERY_BROKER_URL")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("Setting CELERY_BROKER_URL must be a redis:// URL in production.")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CACHES = {"default": env.cache("CACHE_URL", default=CELERY_BROKER_URL)}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A stopped Redis must not take the pages and the API down with it (config/cache.py).
    CACHES["default"]["BACKEND"] = "config.cache.ResilientRedisCache"
