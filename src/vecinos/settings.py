"""The one settings module. Everything a deployment changes comes from ``VECINOS_*`` variables,
read through the strict helpers in :mod:`vecinos.env` (see the README's table)."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from vecinos import keyfiles
from vecinos.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent

DEMO = env_bool(
    "VECINOS_DEMO",
    False,
    "Demo mode: keys are generated into the data folder and demo accounts may show their "
    "two-factor codes. Set by `vecinos demo`; never set it on a real server.",
)
DATA_DIR = Path(
    env_str("VECINOS_DATA_DIR", "data", "Folder for the SQLite database, demo keys and uploads.")
).resolve()
DEBUG = env_bool("VECINOS_DEBUG", False, "Django debug pages. Never on a real server.")
PUBLIC_URL = env_str(
    "VECINOS_PUBLIC_URL",
    "http://localhost:8000",
    "The address people and webhooks reach this server at; https turns on secure cookies and HSTS.",
).rstrip("/")
_public = urlsplit(PUBLIC_URL)
if _public.scheme not in {"http", "https"} or not _public.hostname:
    raise ImproperlyConfigured("VECINOS_PUBLIC_URL must be an http:// or https:// address")
HTTPS = _public.scheme == "https"


def _mandatory_secret(name: str, help: str, demo_file: str, make: object) -> str:
    value = env_secret(name, help)
    if value:
        return value
    if DEMO:
        return keyfiles.read_or_create(DATA_DIR / demo_file, make)
    raise ImproperlyConfigured(
        f"{name} is not set. A real server needs it (or {name}_FILE); "
        "`vecinos demo` generates demo keys by itself."
    )


SECRET_KEY = _mandatory_secret(
    "VECINOS_SECRET_KEY",
    "Signs sessions and tokens. Required outside demo mode.",
    "secret_key",
    keyfiles.new_secret_key,
)
_field_keys_raw = _mandatory_secret(
    "VECINOS_FIELD_KEY",
    "Comma-separated 32-byte URL-safe base64 keys for encrypted fields, newest first; older keys "
    "stay readable until `vecinos rotate-keys` has run. Required outside demo mode.",
    "field_key",
    keyfiles.new_field_key,
)


def _parse_field_keys(raw: str) -> list[bytes]:
    keys = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            key = base64.urlsafe_b64decode(part.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ImproperlyConfigured("VECINOS_FIELD_KEY holds a key that is not base64") from None
        if len(key) != 32:
            raise ImproperlyConfigured(
                "each VECINOS_FIELD_KEY key must be 32 bytes (44 characters)"
            )
        keys.append(key)
    if not keys:
        raise ImproperlyConfigured("VECINOS_FIELD_KEY is empty")
    return keys


VECINOS_FIELD_KEYS = _parse_field_keys(_field_keys_raw)

ALLOWED_HOSTS = env_list(
    "VECINOS_ALLOWED_HOSTS",
    list(dict.fromkeys([_public.hostname, "localhost", "127.0.0.1"])),
    "Host names this server answers to. Default: the host of VECINOS_PUBLIC_URL and localhost.",
)
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

VECINOS_DEFAULT_REGION = env_str(
    "VECINOS_DEFAULT_REGION",
    "US",
    "Phone numbering region for numbers written without a +country code (ISO code, e.g. US, MX).",
).upper()

VECINOS_LOGIN_FAILURE_LIMIT = env_int(
    "VECINOS_LOGIN_FAILURE_LIMIT",
    5,
    "Failed logins from one address for one account before that pair is locked out.",
    minimum=1,
)
VECINOS_LOGIN_LOCKOUT_MINUTES = env_int(
    "VECINOS_LOGIN_LOCKOUT_MINUTES", 15, "How long a login lockout lasts.", minimum=1
)

VECINOS_NETWORK_NAME = env_str(
    "VECINOS_NETWORK_NAME",
    "Vecinos",
    "The network's name, as texts and e-mails sign it (HELP replies say who is writing).",
)
VECINOS_PHONE_GATEWAYS = env_list(
    "VECINOS_PHONE_GATEWAYS",
    ["simulator"] if DEMO else [],
    "Gateways for SMS, Signal and voice, in failover order (simulator in the demo).",
)
VECINOS_TWILIO_ACCOUNT_SID = env_str("VECINOS_TWILIO_ACCOUNT_SID", "", "Twilio account SID.")
VECINOS_TWILIO_AUTH_TOKEN = (
    env_secret(
        "VECINOS_TWILIO_AUTH_TOKEN",
        "Twilio auth token: signs our API calls and checks X-Twilio-Signature on webhooks.",
    )
    or ""
)
VECINOS_TWILIO_FROM = env_list(
    "VECINOS_TWILIO_FROM",
    [],
    "Sender numbers in E.164 (comma-separated; a broadcast is spread over them), or a "
    "messaging service SID (MG…).",
)
VECINOS_TWILIO_API_BASE = env_str(
    "VECINOS_TWILIO_API_BASE",
    "https://api.twilio.com",
    "Twilio's API address; change it for a Twilio-compatible provider.",
)
VECINOS_KANNEL_SENDSMS_URL = env_str(
    "VECINOS_KANNEL_SENDSMS_URL",
    "http://127.0.0.1:13013/cgi-bin/sendsms",
    "Kannel smsbox's sendsms address.",
)
VECINOS_KANNEL_USERNAME = env_str("VECINOS_KANNEL_USERNAME", "vecinos", "Kannel sendsms-user.")
VECINOS_KANNEL_PASSWORD = (
    env_secret("VECINOS_KANNEL_PASSWORD", "Kannel sendsms-user's password.") or ""
)
VECINOS_KANNEL_FROM = env_list(
    "VECINOS_KANNEL_FROM", [], "Sender numbers for texts via Kannel (comma-separated)."
)
VECINOS_KANNEL_SECRET = (
    env_secret(
        "VECINOS_KANNEL_SECRET",
        "Shared secret that Kannel's get-url and dlr-url must carry (?secret=…).",
    )
    or ""
)
VECINOS_SIGNAL_API = env_str(
    "VECINOS_SIGNAL_API", "http://127.0.0.1:8080", "signal-cli-rest-api's address."
).rstrip("/")
VECINOS_SIGNAL_NUMBER = env_str(
    "VECINOS_SIGNAL_NUMBER", "", "The Signal number registered in signal-cli, in E.164."
)


def _sender_rates(name: str, items: list[str], minimum: int = 1) -> dict[str, int]:
    rates = {}
    for item in items:
        sender, _, rate = item.partition("=")
        if not sender.strip() or not rate.strip().isdigit() or int(rate) < minimum:
            raise ImproperlyConfigured(f"{name}: {item!r} is not NUMBER=COUNT")
        rates[sender.strip()] = int(rate)
    return rates


VECINOS_SENDER_RATES = _sender_rates(
    "VECINOS_SENDER_RATES",
    env_list(
        "VECINOS_SENDER_RATES",
        [],
        "Segments per minute per sender number, e.g. +12135550100=60,+18005550100=180; "
        "defaults: long code 60, toll-free 180, short code or messaging service 6000.",
    ),
)
VECINOS_SENDER_DAILY_LIMITS = _sender_rates(
    "VECINOS_SENDER_DAILY_LIMITS",
    env_list(
        "VECINOS_SENDER_DAILY_LIMITS",
        [],
        "Segments per day per sender number, e.g. +12135550100=2000 (0: no daily limit); "
        "defaults: long code (10DLC) 6000, toll-free and short code none.",
    ),
    minimum=0,
)
VECINOS_SMTP_HOST = env_str("VECINOS_SMTP_HOST", "", "SMTP server for e-mail; empty: no e-mail.")
VECINOS_SMTP_PORT = env_int("VECINOS_SMTP_PORT", 587, "SMTP port.", minimum=1)
VECINOS_SMTP_USER = env_str("VECINOS_SMTP_USER", "", "SMTP login, if the server needs one.")
VECINOS_SMTP_PASSWORD = env_secret("VECINOS_SMTP_PASSWORD", "SMTP password.") or ""
VECINOS_SMTP_TLS = env_bool("VECINOS_SMTP_TLS", True, "Use STARTTLS with the SMTP server.")
VECINOS_EMAIL_FROM = env_str(
    "VECINOS_EMAIL_FROM", "vecinos@localhost", "The From address of e-mail Vecinos sends."
)
VECINOS_ALERT_VALIDITY_MINUTES = env_int(
    "VECINOS_ALERT_VALIDITY_MINUTES",
    15,
    "A raid alert not handed to a provider within this many minutes is dropped, not sent late.",
    minimum=1,
)
VECINOS_AUTO_REPLIES_PER_DAY = env_int(
    "VECINOS_AUTO_REPLIES_PER_DAY",
    3,
    "Automatic answers one number gets per day at most, so two auto-responders never loop.",
)
VECINOS_OUTBOX_CONCURRENCY = env_int(
    "VECINOS_OUTBOX_CONCURRENCY",
    32,
    "Messages one worker hands to providers at once (and at most what a killed worker can send "
    "twice). Twilio allows about 100 requests in flight per account.",
    minimum=1,
)
VECINOS_FAILOVER_AFTER_ERRORS = env_int(
    "VECINOS_FAILOVER_AFTER_ERRORS",
    5,
    "Failures in a row after which a gateway is set aside and sending fails over to the next.",
    minimum=1,
)
VECINOS_FAILOVER_MINUTES = env_int(
    "VECINOS_FAILOVER_MINUTES",
    10,
    "How long a failing or slow gateway is set aside before it is tried again.",
    minimum=1,
)
VECINOS_SLOW_AFTER_MINUTES = env_int(
    "VECINOS_SLOW_AFTER_MINUTES",
    5,
    "Minutes after handing a broadcast's messages to a gateway at which their delivery is judged.",
    minimum=1,
)
VECINOS_SLOW_UNDELIVERED_PERCENT = env_int(
    "VECINOS_SLOW_UNDELIVERED_PERCENT",
    10,
    "Share of a broadcast still undelivered after VECINOS_SLOW_AFTER_MINUTES that makes its "
    "gateway count as slow (coordinators are warned and sending fails over).",
    minimum=1,
)
VECINOS_OUTBOX_LEASE_SECONDS = env_int(
    "VECINOS_OUTBOX_LEASE_SECONDS",
    120,
    "A message a worker has held this long without an outcome is taken back (the worker died).",
    minimum=1,
)
# The hotline.
VECINOS_CALLER_RETENTION_HOURS = env_int(
    "VECINOS_CALLER_RETENTION_HOURS",
    72,
    "Hours after a report is closed at which the caller's number is erased from it (and from "
    "the texts that made it).",
    minimum=1,
)
VECINOS_INTAKE_TEXTS_PER_HOUR = env_int(
    "VECINOS_INTAKE_TEXTS_PER_HOUR",
    30,
    "Texts one number may add to the hotline's reports per hour; more are kept but open nothing "
    "and raise no alarm on the console.",
    minimum=1,
)
VECINOS_INTAKE_CALLS_PER_HOUR = env_int(
    "VECINOS_INTAKE_CALLS_PER_HOUR",
    3,
    "Calls from one number that may open a hotline report per hour; later calls hear the "
    "know-your-rights advice but ring no dispatcher and open nothing.",
    minimum=1,
)
VECINOS_GROUPING_MINUTES = env_int(
    "VECINOS_GROUPING_MINUTES",
    90,
    "A report in the same or an adjacent cell within this many minutes of an open incident's "
    "latest report is proposed as part of it.",
    minimum=1,
)
# Responder alerts, verification and the broad alert.
VECINOS_ALERT_ENOUGH_YES = env_int(
    "VECINOS_ALERT_ENOUGH_YES",
    3,
    "Responders who must answer YES to an alert; with fewer, it widens to the next ring of cells.",
    minimum=1,
)
VECINOS_ALERT_WIDEN_MINUTES = env_int(
    "VECINOS_ALERT_WIDEN_MINUTES",
    5,
    "Minutes an alert waits for enough YES answers before it widens to the next ring of cells.",
    minimum=1,
)
VECINOS_ALERT_MAX_RINGS = env_int(
    "VECINOS_ALERT_MAX_RINGS",
    3,
    "How far an alert widens: rings of H3 cells (about 0.9 km each) around the incident's cell.",
    minimum=0,
)
VECINOS_VOUCHES_REQUIRED = env_int(
    "VECINOS_VOUCHES_REQUIRED",
    2,
    "Vouches from trusted members a trained responder needs before alerts can reach them.",
    minimum=1,
)
VECINOS_CONFIRMATIONS_NEEDED = env_int(
    "VECINOS_CONFIRMATIONS_NEEDED",
    1,
    "Responders on the scene who must confirm an incident before a dispatcher may approve the "
    "broad alert.",
    minimum=1,
)
VECINOS_SECOND_APPROVAL = env_bool(
    "VECINOS_SECOND_APPROVAL",
    False,
    "A broad alert also needs a second, different dispatcher's approval.",
)
VECINOS_BROAD_ALERT_RINGS = env_int(
    "VECINOS_BROAD_ALERT_RINGS",
    2,
    "How far a broad alert reaches: subscribers whose area (a zone's name or ZIP code) has a cell "
    "within this many rings of the incident's cell.",
    minimum=0,
)
VECINOS_REDIS_URL = (
    env_secret(
        "VECINOS_REDIS_URL",
        "Redis address, e.g. redis://127.0.0.1:6379/0, so that every web process hears the "
        "console's live events (needed when the web runs as several processes); with it, "
        "`vecinos worker` reads the texts Twilio's webhook stores. Unset: one web process tells "
        "its own consoles and reads the texts it stores, and each console also re-reads every 10 "
        "seconds.",
    )
    or ""
)
if VECINOS_REDIS_URL and urlsplit(VECINOS_REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured("VECINOS_REDIS_URL must be a redis://, rediss:// or unix:// address")
EMAIL_HOST = VECINOS_SMTP_HOST or "localhost"
EMAIL_PORT = VECINOS_SMTP_PORT
EMAIL_HOST_USER = VECINOS_SMTP_USER
EMAIL_HOST_PASSWORD = VECINOS_SMTP_PASSWORD
EMAIL_USE_TLS = VECINOS_SMTP_TLS
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = VECINOS_EMAIL_FROM

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "vecinos.core",
    "vecinos.organizing",
    "vecinos.messaging",
    # Before the hotline: a responder's YES/NO must be read before a text can open a report.
    "vecinos.responders",
    # After responders (its demo vouches for theirs), before the hotline (a sign-in code is not
    # a report).
    "vecinos.trainings",
    # After the responders (an open alert's YES is theirs), before the hotline: an answer to an
    # invitation must not open a report.
    "vecinos.mobilizing",
    "vecinos.hotline",
    "vecinos.api",
    "vecinos.shifts",
    "vecinos.places",
    "vecinos.assembly",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vecinos.core.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last on purpose: it is sync-only, so Django runs the whole chain in one thread. Below an
    # async-capable middleware, each of Django's own would hop between threads twice per request
    # under ASGI (about twenty hops: most of the cost of a provider's webhook).
    "vecinos.core.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "vecinos.urls"
ASGI_APPLICATION = "vecinos.asgi.application"
WSGI_APPLICATION = "vecinos.wsgi.application"

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
                "vecinos.core.context_processors.vecinos",
            ],
        },
    },
]

_database_url = (
    env_str(
        "VECINOS_DATABASE_URL",
        "",
        "Database address, e.g. postgres://user@host/vecinos. Default: SQLite file "
        "vecinos.sqlite3 in the data folder.",
    )
    or f"sqlite:///{DATA_DIR / 'vecinos.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(_database_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at the same time: WAL lets readers go on, a busy timeout
    # makes a writer wait instead of failing, and IMMEDIATE takes the write lock up front so two
    # transactions never deadlock upgrading from a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; "
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
# A pool of connections per process on PostgreSQL: under ASGI every request runs in a thread of
# its own, so connections cannot simply be kept (Django's docs); opening one per request costs
# PostgreSQL a new backend process each time.
_pool_size = env_int(
    "VECINOS_DATABASE_POOL_SIZE",
    8,
    "PostgreSQL connections each web or worker process keeps open and shares (0: a new "
    "connection for every request). Not used with SQLite.",
)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and _pool_size:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": _pool_size,
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Failed logins: lock the (account, address) pair. Locking the address alone would shut out a
# whole assembly on one church Wi-Fi; locking the account alone lets a stranger lock out the
# dispatcher on shift. Dispatchers and coordinators also need a TOTP code, which django-otp
# throttles.
AXES_FAILURE_LIMIT = VECINOS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=VECINOS_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp_token"]

OTP_TOTP_ISSUER = "Vecinos"
OTP_TOTP_THROTTLE_FACTOR = 1

SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(timedelta(days=365).total_seconds()) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
# W021 asks for HSTS preload. Preloading binds the whole domain and its subdomains to HTTPS in every
# browser for months, which a neighborhood group on a shared or borrowed domain must choose itself.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# check --deploy's W008 (no SSL redirect) is about plain-http deployments; with an https public URL
# the redirect is on. Behind a reverse proxy, uvicorn's --proxy-headers sets the scheme.

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    # Each language is named in itself so a person can find theirs in any interface language.
    ("en", "English"),
    ("es", "Español"),
    ("ko", "한국어"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str(
    "VECINOS_TIME_ZONE", "America/Los_Angeles", "Time zone for dates shown to people."
)
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Served by WhiteNoise straight from the apps' static folders: no collectstatic step, no CDN.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded files (meeting attachments) live in the data folder and are never served directly:
# a page that checks who is asking streams each one (no MEDIA_URL).
MEDIA_ROOT = DATA_DIR / "uploads"
# The largest file a person may attach to a meeting.
ASSEMBLY_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # SQL parameters would carry ciphertext and keyed hashes; never log them.
        "django.db.backends": {"level": "WARNING", "propagate": True},
        # axes logs every successful login with the address it came from; keep only warnings.
        "axes": {"level": "WARNING", "propagate": True},
        # Twilio's client logs eight lines for every text it sends; keep only its warnings.
        "twilio": {"level": "WARNING", "propagate": True},
    },
}
