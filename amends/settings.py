"""Every setting comes from the environment; the defaults are the safe ones.

`AMENDS_ENV` picks the profile: `production` (the default: DEBUG off, a real
SECRET_KEY required, HTTPS-only cookies and HSTS), `development` (what
`make run` uses) or `test` (what `make test` uses). The README lists every
variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

AMENDS_ENV: str = env.str("AMENDS_ENV", default="production")
if AMENDS_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"AMENDS_ENV must be production, development or test, not {AMENDS_ENV!r}"
    )
PRODUCTION = AMENDS_ENV == "production"

# A key that only development and test may use; production refuses it.
_DEV_SECRET_KEY = "amends-development-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105

DEBUG: bool = env.bool("DEBUG", default=AMENDS_ENV == "development")
SECRET_KEY: str = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (AMENDS_ENV=production).")
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY == _DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The service's public address, for links in emails sent outside a request.
SITE_URL: str = env.str("SITE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000")
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "SITE_URL must be set to the service's https:// address in production."
    )
SERVICE_NAME = "Amends"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth, so that our GOV.UK-styled account and MFA templates win.
    "amends.core",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "govuk_frontend_django",
    "amends.accounts",
    "amends.people",
    "amends.referrals",
    "amends.hub",
    "amends.practitioners",
    "amends.cases",
    "amends.events",
    "amends.demo",
    "amends.api",
]

MIDDLEWARE = [
    "amends.core.middleware.RequestIdMiddleware",
    # Refuses an oversized API body (413) before anything reads it.
    "amends.api.middleware.ApiBodySizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "amends.accounts.middleware.StaffAccessMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "amends.urls"
WSGI_APPLICATION = "amends.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amends.core.context_processors.service",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(exist_ok=True)
DATABASES: dict[str, dict[str, Any]] = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'amends.sqlite3'}")
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while one writer writes; IMMEDIATE takes the
            # write lock at the start of a transaction so that two writers queue
            # (busy timeout) instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif _db["ENGINE"] in {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}:
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds sign-in rate limits and used TOTP codes, so every process
# must share it: the database by default, Redis or Memcached with CACHE_URL.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif AMENDS_ENV == "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "amends_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if AMENDS_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/staff/"

# django-allauth: email sign-in, no self sign-up (staff are invited), mandatory TOTP.
ACCOUNT_ADAPTER = "amends.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# No "unknown account" mail: it invites the reader to sign up, and staff cannot; it
# would also tell a disabled member of staff that they have no account.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Amends] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Ten failed sign-ins for one email in 15 minutes locks that email out, whether
# or not it has an account; the IP limit stops spraying across many emails.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_LIMIT", default="30/15m/ip,10/15m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_ADAPTER = "amends.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Amends"
MFA_RECOVERY_CODE_COUNT = 10

# Sessions: staff sessions end with the browser and after 8 hours at most.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "amends.core.views.csrf_failure"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "amends" / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Outside production, serve static files straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Mail: the console by default, a folder of .eml files with EMAIL_FILE_PATH,
# or SMTP from EMAIL_URL (smtp+tls://user:password@host:587).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Amends <no-reply@amends.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks: the database backend (a worker runs `amends db_worker`;
# `make run` starts one beside the web server), immediate in tests.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default="django_tasks.backends.immediate.ImmediateBackend"
            if AMENDS_ENV == "test"
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Messages to people and teams (amends.core.messaging): GOV.UK Notify when its
# key is set, else a folder of files with MESSAGES_FILE_PATH, else Django's
# email in production (email only) and the console in development and tests.
NOTIFY_API_KEY: str = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL: str = env.str(
    "NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
)
NOTIFY_TIMEOUT_SECONDS: int = env.int("NOTIFY_TIMEOUT_SECONDS", default=30)
# Our template name and channel to Notify's template id: referral_ack_email=<id>,…
NOTIFY_TEMPLATE_IDS: dict[str, str] = env.dict("NOTIFY_TEMPLATE_IDS", default={})
MESSAGES_FILE_PATH: str = env.str("MESSAGES_FILE_PATH", default="")
_MESSAGE_BACKENDS = {
    "console": "amends.core.messaging.ConsoleBackend",
    "file": "amends.core.messaging.FileBackend",
    "email": "amends.core.messaging.DjangoEmailBackend",
    "notify": "amends.core.messaging.NotifyBackend",
}
if NOTIFY_API_KEY:
    _messages_default = "notify"
elif MESSAGES_FILE_PATH:
    _messages_default = "file"
else:
    _messages_default = "email" if PRODUCTION else "console"
_messages_backend: str = env.str("MESSAGES_BACKEND", default=_messages_default)
if _messages_backend not in _MESSAGE_BACKENDS:
    raise ImproperlyConfigured(
        f"MESSAGES_BACKEND must be one of {', '.join(_MESSAGE_BACKENDS)}, not {_messages_backend!r}"
    )
if _messages_backend == "notify" and not NOTIFY_API_KEY:
    raise ImproperlyConfigured("MESSAGES_BACKEND=notify needs NOTIFY_API_KEY.")
if _messages_backend == "file" and not MESSAGES_FILE_PATH:
    raise ImproperlyConfigured("MESSAGES_BACKEND=file needs MESSAGES_FILE_PATH.")
MESSAGES_BACKEND = _MESSAGE_BACKENDS[_messages_backend]
# A failed send is tried again after 1, 2, 4 … minutes (at most an hour apart),
# up to MESSAGES_MAX_ATTEMPTS times in all; then it is marked failed and logged.
MESSAGES_MAX_ATTEMPTS: int = env.int("MESSAGES_MAX_ATTEMPTS", default=10)
MESSAGES_RETRY_BASE_SECONDS: int = env.int("MESSAGES_RETRY_BASE_SECONDS", default=60)
MESSAGES_RETRY_MAX_SECONDS: int = env.int("MESSAGES_RETRY_MAX_SECONDS", default=3600)

# Security headers. HTTPS settings follow the profile; each can be overridden.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE: bool = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE: bool = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front add to X-Forwarded-For: sign-in rate limits count
# failures per client IP, which without this would all be the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT: int = env.int("TRUSTED_PROXY_COUNT", default=0)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The partnership's own clocks, in working days (England and Wales).
AMENDS_FAILED_CONTACT_ATTEMPTS_TO_CLOSE: int = env.int(
    "FAILED_CONTACT_ATTEMPTS_TO_CLOSE", default=3
)
AMENDS_PAGE_SIZE: int = env.int("PAGE_SIZE", default=25)
# The victim care hub's clocks (referrals/clocks.py), in working days, all counted from
# the day the referral was received (or came back: reopened, or returned by the RJ
# provider): first contact with the person within HUB_FIRST_CONTACT_WORKING_DAYS
# (HUB_FIRST_CONTACT_WORKING_DAYS_ENHANCED for a victim entitled to enhanced rights), the
# triage decision within HUB_TRIAGE_WORKING_DAYS, the hand-off to the RJ provider within
# HUB_HANDOFF_WORKING_DAYS. Changing them changes referrals' clocks from their next step.
HUB_FIRST_CONTACT_WORKING_DAYS: int = env.int("HUB_FIRST_CONTACT_WORKING_DAYS", default=2)
HUB_FIRST_CONTACT_WORKING_DAYS_ENHANCED: int = env.int(
    "HUB_FIRST_CONTACT_WORKING_DAYS_ENHANCED", default=1
)
HUB_TRIAGE_WORKING_DAYS: int = env.int("HUB_TRIAGE_WORKING_DAYS", default=10)
HUB_HANDOFF_WORKING_DAYS: int = env.int("HUB_HANDOFF_WORKING_DAYS", default=20)
# The public application (/refer/): the hub that gets an application whose writer
# chose "I'm not sure" for their area, and how many applications one address may
# send in an hour (a brake on bots that never blocks a person using assistive tech).
PUBLIC_REFERRAL_DEFAULT_HUB: str = env.str(
    "PUBLIC_REFERRAL_DEFAULT_HUB", default="barnet-victim-care-hub"
)
PUBLIC_REFERRAL_SUBMISSIONS_PER_HOUR: int = env.int(
    "PUBLIC_REFERRAL_SUBMISSIONS_PER_HOUR", default=10
)
# The Victims' Code deadlines, in working days: tell a victim about RJ within 5 working
# days of reporting (1 for victims entitled to enhanced rights); refer within 2 of asking.
VICTIMS_CODE_INFORM_DAYS: int = env.int("VICTIMS_CODE_INFORM_DAYS", default=5)
VICTIMS_CODE_INFORM_DAYS_ENHANCED: int = env.int("VICTIMS_CODE_INFORM_DAYS_ENHANCED", default=1)
VICTIMS_CODE_REFER_DAYS: int = env.int("VICTIMS_CODE_REFER_DAYS", default=2)
# The largest CSV file the police RJ coordinator may upload. The page imports while the
# browser waits (about 5,000 rows a megabyte, a few milliseconds a row), so keep it within
# the web server's request timeout; `amends import-referrals` has no limit.
CSV_IMPORT_MAX_BYTES: int = env.int("CSV_IMPORT_MAX_BYTES", default=1024 * 1024)
# `make bench` only: serve GET /bench/hello, the hello-world baseline of the benchmark.
BENCHMARK_VIEWS: bool = env.bool("BENCHMARK_VIEWS", default=False)

# The JSON API (/api/v1/): the largest request body it reads, and how many requests
# one API key may make ("120/m": per minute; s, m, h or d).
API_MAX_BODY_BYTES: int = env.int("API_MAX_BODY_BYTES", default=64 * 1024)
API_RATE_LIMIT: str = env.str("API_RATE_LIMIT", default="120/m")
# An Idempotency-Key is remembered this long (`amends prune-idempotency-keys` forgets
# older ones); a request still "in flight" after API_IDEMPOTENCY_IN_FLIGHT_SECONDS is
# taken to have died, so a retry may take its key over.
API_IDEMPOTENCY_KEEP_HOURS: int = env.int("API_IDEMPOTENCY_KEEP_HOURS", default=24)
API_IDEMPOTENCY_IN_FLIGHT_SECONDS: int = env.int("API_IDEMPOTENCY_IN_FLIGHT_SECONDS", default=60)

# Practitioners (a registered RJ service's standards): an enhanced DBS certificate is
# renewed after DBS_RENEWAL_MONTHS; supervision at least every SUPERVISION_INTERVAL_WEEKS;
# practice observed at least every OBSERVATION_INTERVAL_MONTHS; CPD hours a year by level;
# reminders go PRACTITIONER_REMINDER_WORKING_DAYS working days before each falls due.
DBS_RENEWAL_MONTHS: int = env.int("DBS_RENEWAL_MONTHS", default=36)
SUPERVISION_INTERVAL_WEEKS: int = env.int("SUPERVISION_INTERVAL_WEEKS", default=12)
OBSERVATION_INTERVAL_MONTHS: int = env.int("OBSERVATION_INTERVAL_MONTHS", default=12)
CPD_HOURS_BY_LEVEL: dict[str, int] = {"foundation": 6, "practitioner": 12, "senior": 16}
PRACTITIONER_REMINDER_WORKING_DAYS: int = env.int("PRACTITIONER_REMINDER_WORKING_DAYS", default=10)
# The RJ provider that receives applications made at /volunteer/.
VOLUNTEER_PROVIDER: str = env.str("VOLUNTEER_PROVIDER", default="")
# How many volunteer applications one address may send in an hour (a brake on bots).
VOLUNTEER_SUBMISSIONS_PER_HOUR: int = env.int("VOLUNTEER_SUBMISSIONS_PER_HOUR", default=10)

# Hand-off to the RJ provider: the provider coordinator accepts or returns a case within
# CASE_DECISION_WORKING_DAYS working days of the hand-off (England and Wales).
CASE_DECISION_WORKING_DAYS: int = env.int("CASE_DECISION_WORKING_DAYS", default=5)
