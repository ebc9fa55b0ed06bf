"""Settings shared by every environment. Values come from the environment (django-environ)."""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from staff.platform.audit import stream as audit_stream

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    # Domain apps, in dependency order: staff <- competence <- caseload <- intake; surveys reads all.
    "staff",
    "competence",
    "caseload",
    "intake",
    "surveys",
    # Change history of the apps above and retention (gallring); they read every domain app.
    "staff.platform.history",
    "staff.platform.retention",
    # Sign-in through the organisation's identity provider (staff/sso/): allauth's OpenID Connect and SAML
    # providers. Their configuration comes from staff.sso.models.IdentityProvider (staff.sso.adapter), never
    # from allauth's SocialApp table, and allauth's account pages are not served. Listed after Stabil's apps:
    # an earlier app's translation wins, and allauth's Swedish for e.g. "Confirm" is not Stabil's.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.platform.middleware.PrivateNoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "staff.platform.middleware.TenantMiddleware",
    "staff.platform.middleware.LeaverSignOutMiddleware",
    "staff.platform.audit.middleware.AccessLogMiddleware",
    "staff.platform.middleware.IdleTimeoutMiddleware",
    "staff.platform.mfa.MfaRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "staff.context_processors.navigation",
            ],
        },
    }
]


def _database(url: str) -> dict:
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a configuration error
        raise ImproperlyConfigured(f"Setting DATABASE_URL is malformed: {exc}") from exc
    if not config.get("ENGINE"):
        raise ImproperlyConfigured("Setting DATABASE_URL is malformed: give e.g. postgres://user:pass@host/db")
    return config


DATABASES = {
    # An empty DATABASE_URL counts as unset: the embedded SQLite default.
    "default": _database(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'stabil.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Row-level security (staff/platform/rls.py, docs/trust-rls.md): the web, worker and beat connect as a role
    # that does not own the tables. DATABASE_ASSUME_ROLE switches to it after connecting (SET ROLE), for
    # when the login user is the owner; with a login of its own the app role needs no setting here.
    if env.str("DATABASE_ASSUME_ROLE", default=""):
        DATABASES["default"].setdefault("OPTIONS", {})["assume_role"] = env.str("DATABASE_ASSUME_ROLE")
# The role `migrate` grants table and sequence rights to (the application's role); empty: none.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "staff.platform.signin_limits.SignInLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    # Refuses a leaver's sign-in from the day after their last day (docs/trust-signin.md, "Leaving ends access").
    "staff.platform.signin_limits.EmploymentEndedBackend",
    # Refuses the password where the organisation signs in only through its identity provider (staff/sso/).
    "staff.platform.signin_limits.SsoOnlyBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-allauth (staff/sso/): Stabil signs the person in itself (staff.sso.adapter.SsoAdapter.pre_social_login);
# allauth checks the protocol. No tokens are stored, no account is ever connected by e-mail address, and a
# provider's sign-in starts with a POST from Stabil's own page (a GET shows that page's button, not a redirect).
SOCIALACCOUNT_ADAPTER = "staff.sso.adapter.SsoAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
ACCOUNT_EMAIL_VERIFICATION = "none"
# The key that encrypts secrets kept in the database (staff.platform.secrets); empty: derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:start"
LOGOUT_REDIRECT_URL = "login"

# Sign-in limits (staff/platform/signin_limits.py, docs/trust-signin.md): after AXES_FAILURE_LIMIT failures for a
# username from one address, a wait from the last failure that doubles from LOGIN_DELAY_MINUTES up to
# LOGIN_DELAY_MAX_MINUTES; and at most LOGIN_ADDRESS_FAILURES failures per address (any usernames) per
# LOGIN_ADDRESS_WINDOW_MINUTES. django-axes records attempts and shows the lockout page; its own lockout is off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_DELAY_MINUTES = env.float("LOGIN_DELAY_MINUTES", default=1)
LOGIN_DELAY_MAX_MINUTES = env.float("LOGIN_DELAY_MAX_MINUTES", default=30)
LOGIN_FAILURES_FORGOTTEN_HOURS = env.int("LOGIN_FAILURES_FORGOTTEN_HOURS", default=24)
LOGIN_ADDRESS_FAILURES = env.int("LOGIN_ADDRESS_FAILURES", default=50)
LOGIN_ADDRESS_WINDOW_MINUTES = env.float("LOGIN_ADDRESS_WINDOW_MINUTES", default=15)
AXES_LOCK_OUT_AT_FAILURE = False
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
# `make messages` runs makemessages inside each app with per-app catalogues (app/locale/).
LOCALE_PATHS = [] if env.bool("STABIL_MESSAGES_PER_APP", default=False) else [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

OTP_TOTP_ISSUER = "Stabil"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Without an explicit SITE_URL, links follow the port the local server runs on (`PORT=8080 make run`).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Stabil <noreply@stabil.local>")

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://stabil"),
}
# How often the beat counts the organisation-wide comparison figures of unit pages (caseload.models.CoverageFigure);
# 0 = counted live on every page.
CASELOAD_ORGANISATION_FIGURES_SECONDS = env.int("CASELOAD_ORGANISATION_FIGURES_SECONDS", default=300)
# Survey anonymity: the fewest respondents any organisation may publish an aggregate with (docs/trust.md).
SURVEYS_MIN_RESPONDENTS_FLOOR = env.int("SURVEYS_MIN_RESPONDENTS_FLOOR", default=5)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "staff.platform.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_THROTTLE_RATE", default="600/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["staff.platform.api_base.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "staff.platform.api_base.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "staff.platform.api_base.error_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "staff.platform.api_base.FormatNegotiation",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Stabil API",
    # A code span: on the docs page a bare <key> is an HTML tag and vanishes.
    "DESCRIPTION": "Stabil's REST API for HR and the city's systems. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Two choice sets are called "status": each gets its own name in the schema (not Status102Enum).
    "ENUM_NAME_OVERRIDES": {
        "ImportRunStatusEnum": "staff.imports.models.ImportRun.Status",
        "TertialStatusEnum": ["open", "closed", "upcoming"],
    },
}

# Celery: an embedded file-system broker by default, Redis in production and CI.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
# Each app contributes a BEAT_SCHEDULE dict in its tasks module; config/celery_app.py merges them.

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 3600)
X_FRAME_OPTIONS = "DENY"
# No 'unsafe-inline' for scripts: pages put their JavaScript in static files and pass data with
# json_script. Inline style attributes (Bootstrap, Chart.js) are allowed.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Sign out after inactivity: staff.platform.middleware.IdleTimeoutMiddleware renews the session at most every
# few minutes, and it expires SESSION_COOKIE_AGE after the last renewal.
SECURE_CONTENT_TYPE_NOSNIFF = True
# A forged or missing CSRF token: a Swedish 403 page, recorded as a security event.
CSRF_FAILURE_VIEW = "staff.platform.audit.views.csrf_failure"
# The client's address, for the sign-in lockout and the access log (staff.platform.middleware.client_address):
# REMOTE_ADDR, or the address a reverse proxy in TRUSTED_PROXIES (addresses or networks, comma-separated)
# put in X-Forwarded-For. ACCESS_LOG_TRUST_X_FORWARDED_FOR=true without TRUSTED_PROXIES (deprecated)
# keeps its old meaning: the last X-Forwarded-For entry, whoever sent it.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(f"Setting TRUSTED_PROXIES is malformed: {exc}") from exc
ACCESS_LOG_TRUST_X_FORWARDED_FOR = env.bool("ACCESS_LOG_TRUST_X_FORWARDED_FOR", default=False)
AXES_CLIENT_IP_CALLABLE = "staff.platform.middleware.client_address"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # No user data in logs beyond ids: axes would log usernames on lockout (the lockout itself is in the
    # database), and SQL is never logged.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "ERROR"}},
}
# The access log and the security events as JSON lines for the municipality's log monitoring (docs/integrations.md,
# "Logs out"): "" (off), "file:/path", "syslog" (the local socket) or "syslog:host:port" (UDP).
STABIL_AUDIT_STREAM = env("STABIL_AUDIT_STREAM", default="")
for _part, _entries in audit_stream.logging_config(STABIL_AUDIT_STREAM).items():
    LOGGING[_part].update(_entries)


# File imports from a drop folder (staff/imports/drop.py, docs/integrations.md): <dir>/<organisation slug>/<kind>/.
# Empty: no drop folder. Files younger than the minimum age may still be being written and wait for the next round.
IMPORT_DROP_DIR = env.str("IMPORT_DROP_DIR", default="")
IMPORT_DROP_EVERY_SECONDS = env.float("IMPORT_DROP_EVERY_SECONDS", default=300)
IMPORT_DROP_MIN_AGE_SECONDS = env.float("IMPORT_DROP_MIN_AGE_SECONDS", default=60)
