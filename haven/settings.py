"""Haven's settings, read from the environment (12-factor); docs/operations.md lists them all.

Three modes:
- production (the default): refuses to start without HAVEN_SECRET_KEY, HTTPS-only cookies, HSTS;
- demo (HAVEN_DEMO=1, set by `haven demo`): plain HTTP on 127.0.0.1, secrets generated under var/;
- debug (HAVEN_DEBUG=1): Django's DEBUG pages, for development only.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from haven.env import env_bool, env_float, env_int, env_list, env_rates, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HAVEN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("HAVEN_DEBUG")
HAVEN_DEMO = env_bool("HAVEN_DEMO")
LOCAL = DEBUG or HAVEN_DEMO  # plain HTTP on this machine; never in production
# `makemigrations` reads only the code, so it runs in a plain shell (a developer's, CI's)
# without production's secrets and host names: it gets throwaway secrets, stored nowhere.
CODE_ONLY = sys.argv[1:2] == ["makemigrations"]


def _local_secret(file_name: str) -> str:
    """A secret generated once under var/ for the demo; production must be given its own."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env_str("HAVEN_SECRET_KEY")
if not SECRET_KEY and CODE_ONLY:
    SECRET_KEY = secrets.token_urlsafe(50)
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "HAVEN_SECRET_KEY (or HAVEN_SECRET_KEY_FILE) is not set: production needs a long "
            "random secret, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = _local_secret("secret_key")

ALLOWED_HOSTS = env_list("HAVEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if LOCAL else [])
HAVEN_BASE_URL = env_str("HAVEN_BASE_URL", "http://127.0.0.1:8000" if LOCAL else "")
# People's forms come from the base URL's origin whatever Host the proxy passes on (nginx's
# $host drops a port other than 443), so it is trusted with any listed here.
_base_url = urlsplit(HAVEN_BASE_URL)
CSRF_TRUSTED_ORIGINS = env_list("HAVEN_CSRF_TRUSTED_ORIGINS") + (
    [f"{_base_url.scheme}://{_base_url.netloc}"] if _base_url.scheme and _base_url.netloc else [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "haven.core",
    "haven.vault",
    "haven.support",
    "haven.connect",  # migrations only: the history of the tables the apps below now own
    "haven.coffee",
    "haven.recognition",
    "haven.activities",
    "haven.questions",
    "haven.speakup",
    "haven.attributes",
    "haven.insight",
    "haven.coach",
    "haven.api",
    "haven.home",
    "haven.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "haven.core.middleware.AuditContextMiddleware",  # where audit rows come from
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haven.core.middleware.SessionMiddleware",  # Django's; some requests leave it untouched
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "haven.core.middleware.PersonTimezoneMiddleware",
    "haven.core.middleware.AccessTableMiddleware",
    "haven.core.middleware.RequireMfaMiddleware",
    "haven.vault.middleware.KeyUnavailableMiddleware",
    "haven.core.middleware.RefusedMiddleware",
]

ROOT_URLCONF = "haven.urls"
ASGI_APPLICATION = "haven.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "haven" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haven.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default, anything dj-database-url reads via DATABASE_URL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'haven.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker and the web server share the file; IMMEDIATE avoids
        # "database is locked" on write upgrades under concurrency.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env_int("HAVEN_DB_POOL_SIZE", 10, minimum=0) > 0
):
    # psycopg's pool (Django 5.1+): borrowing a connection costs microseconds, opening one
    # several milliseconds, and live chat makes a database call per message. Each process
    # (web server, worker) keeps at most HAVEN_DB_POOL_SIZE connections; 0 turns pooling off.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("HAVEN_DB_POOL_SIZE", 10, minimum=0),
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Live chat: an in-memory channel layer for one process, Redis when several share the work.
# Layer messages are encrypted with a key derived from SECRET_KEY, so no chat text sits in
# Redis in the clear, even for the seconds it is in transit.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "symmetric_encryption_keys": [SECRET_KEY],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Envelope encryption: master keys `id:base64key,…`, the first one current.
HAVEN_MASTER_KEYS = env_str("HAVEN_MASTER_KEYS")
if not HAVEN_MASTER_KEYS and CODE_ONLY:
    from haven.vault.masterkeys import generate_master_key

    HAVEN_MASTER_KEYS = generate_master_key("code-only")
if not HAVEN_MASTER_KEYS:
    if not LOCAL:
        raise ImproperlyConfigured(
            "HAVEN_MASTER_KEYS (or HAVEN_MASTER_KEYS_FILE) is not set: production needs at "
            "least one master key; make one with `haven keys generate k1`."
        )
    from haven.vault.masterkeys import demo_master_keys

    HAVEN_MASTER_KEYS = demo_master_keys(VAR_DIR / "master_keys")
from haven.vault.masterkeys import parse_master_keys  # noqa: E402  (fail early, in one line)

parse_master_keys(HAVEN_MASTER_KEYS)

AUTH_USER_MODEL = "core.Person"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "haven.core.passwords.Argon2PasswordHasher",  # Django's, in one lane
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail sign-in, no open sign-up (people arrive by invitation), TOTP MFA.
ACCOUNT_ADAPTER = "haven.core.auth.InvitationOnlyAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # the directory vouches for work addresses
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Never by a code sent to the mailbox: the reauthentication-code routes are closed (access.py).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# A reset asked for an address outside the directory sends nothing (and the page says the same),
# so Haven never mails strangers on anyone's behalf.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Sign-in throttling (docs/operations.md, "Sign-in and sessions"). Brute force is stopped per
# account, by allauth; per client address Haven counts itself (haven.core.sign_in_limits),
# because allauth takes a cache lock per address for every attempt and counts a lock it cannot
# get within a second as "too many": behind one office address, under load, it refused right
# passwords.
ACCOUNT_RATE_LIMITS = {
    # Nothing per address here: an empty rate turns allauth's default (30 a minute per
    # address, locked) off; Haven's flood cap below replaces it.
    "login": "",
    # Failed sign-ins per account ("key", the address typed; wrong MFA codes count per person
    # under the same rates): 5 in 5 minutes, as allauth's default, and at most 20 a day, so a
    # patient guesser gets 20 tries a day rather than 1,440. The next attempt is refused even
    # with the right password.
    "login_failed": "5/5m/key,20/d/key",
}
# Per client address, counted without locks across every process sharing the cache (Redis).
# "failures": wrong passwords (and wrong MFA codes at sign-in), 30 a minute and 300 an hour,
# which stops one machine trying a common password across many accounts; a right password is
# never counted. "attempts": every password checked, right or wrong, 300 a minute: a flood cap
# that a whole office signing in at nine o'clock from behind one NAT address stays under.
HAVEN_SIGN_IN_ADDRESS_LIMITS = {
    "failures": env_rates("HAVEN_SIGN_IN_FAILURES_PER_ADDRESS", "30/m,300/h"),
    "attempts": env_rates("HAVEN_SIGN_IN_ATTEMPTS_PER_ADDRESS", "300/m"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The second step of signing in is refused, like the first, while the client's address is over
# its failure limit (haven.core.sign_in_limits).
MFA_FORMS = {"authenticate": "haven.core.auth.AddressLimitedMFAForm"}
# TOTP secrets and recovery-code seeds are sealed by the vault, never stored in clear.
MFA_ADAPTER = "haven.vault.mfa.SealedSecretsMFAAdapter"
MFA_TOTP_ISSUER = env_str("HAVEN_MFA_ISSUER", "Haven")
# The directory vouches for work addresses, and Haven has no e-mail verification step; without
# this, anyone could block a person's MFA set-up by requesting a password reset for them.
MFA_ALLOW_UNVERIFIED_EMAIL = True
HAVEN_MFA_REQUIRED_ROLES = {"coordinator", "case_handler", "administrator"}

# Sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = env_int("HAVEN_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # at most once a minute for an unchanged session:
SESSION_ENGINE = "haven.core.sessions"  # haven.core.sessions.REFRESH_AFTER
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Mail: the console by default, SMTP (or anything dj-email-url reads) when EMAIL_URL is set.
_email_url = env_str("EMAIL_URL")
if _email_url:
    vars().update(dj_email_url.parse(_email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("HAVEN_FROM_EMAIL", "Haven <haven@localhost>")
# A mail server that accepts the connection and then says nothing must not hold the worker:
# after this many seconds the attempt fails and is retried (EMAIL_URL's ?timeout= wins).
EMAIL_TIMEOUT = vars().get("EMAIL_TIMEOUT") or 30
# Attempts per e-mail when the server is down or says "try later", 1, 2, 4 … minutes apart
# (haven.core.tasks.send_email): 10 attempts span about 8.5 hours, then it counts as failed.
HAVEN_MAIL_ATTEMPTS = env_int("HAVEN_MAIL_ATTEMPTS", 10, minimum=1)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "haven" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("HAVEN_TIME_ZONE", "UTC")  # shown to people with no location

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "haven" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not LOCAL
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LOCAL
if LOCAL:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HAVEN_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
HAVEN_IMPORT_MAX_BYTES = env_int("HAVEN_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Speak-up journal (docs/speakup.md): each attachment, and an export uploaded to be verified.
HAVEN_JOURNAL_ATTACHMENT_MAX_BYTES = env_int(
    "HAVEN_JOURNAL_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024
)
HAVEN_JOURNAL_VERIFY_MAX_BYTES = env_int(
    "HAVEN_JOURNAL_VERIFY_MAX_BYTES", 64 * 1024 * 1024, minimum=1024
)

# Operators (docs/operations.md, "Health and metrics"): /metrics answers only a bearer token
# equal to HAVEN_METRICS_TOKEN (unset: /metrics is not served). /healthz calls a worker stale
# after this many minutes without a heartbeat, and the mail queue late once its oldest queued
# e-mail has waited this many minutes; with HAVEN_HEALTH_WORKER_REQUIRED either makes it 503.
HAVEN_METRICS_TOKEN = env_str("HAVEN_METRICS_TOKEN")
HAVEN_HEALTH_WORKER_STALE_MINUTES = env_int("HAVEN_HEALTH_WORKER_STALE_MINUTES", 2, minimum=1)
HAVEN_HEALTH_MAIL_LATE_MINUTES = env_int("HAVEN_HEALTH_MAIL_LATE_MINUTES", 15, minimum=1)
HAVEN_HEALTH_WORKER_REQUIRED = env_bool("HAVEN_HEALTH_WORKER_REQUIRED")

# k-anonymity: no aggregate is shown over fewer people than this.
HAVEN_MIN_GROUP_SIZE = env_int("HAVEN_MIN_GROUP_SIZE", 5, minimum=2)

# Coffee pairings (docs/connect.md): never repeat a pair from this many recent rounds; the
# schedule runs a round each week on this weekday (0 Monday … 6 Sunday) from this hour, local.
HAVEN_COFFEE_NO_REPEAT_ROUNDS = env_int("HAVEN_COFFEE_NO_REPEAT_ROUNDS", 6, minimum=0)
HAVEN_COFFEE_WEEKDAY = env_int("HAVEN_COFFEE_WEEKDAY", 0, minimum=0)
HAVEN_COFFEE_HOUR = env_int("HAVEN_COFFEE_HOUR", 9, minimum=0)

# Recognition (docs/connect.md): the weekly digest goes out on this weekday from this hour, local.
HAVEN_RECOGNITION_DIGEST_WEEKDAY = env_int("HAVEN_RECOGNITION_DIGEST_WEEKDAY", 4, minimum=0)
HAVEN_RECOGNITION_DIGEST_HOUR = env_int("HAVEN_RECOGNITION_DIGEST_HOUR", 15, minimum=0)

# Activities (docs/connect.md): whether every colleague may propose one, not only coordinators.
# Only the first default of the administrators' activity settings; after that the row counts.
HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES = env_bool("HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES")

# Empathy-coach certification: practice scores (0-6, the sum of the three empathy levels) must
# average above this over at least ten scenarios; docs/coach.md, "Practice and certification".
HAVEN_COACH_CERTIFY_THRESHOLD = env_float(
    "HAVEN_COACH_CERTIFY_THRESHOLD", 3.5, minimum=0.0, maximum=5.9
)

# Security headers. Strict CSP: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not LOCAL:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HAVEN_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HAVEN_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("HAVEN_SSL_REDIRECT", True)
    # A load balancer or monitor may ask each web process directly, over plain HTTP on
    # loopback or a private network: they answer there instead of redirecting to https.
    SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$", r"^metrics$"]
    if env_bool("HAVEN_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not ALLOWED_HOSTS and not CODE_ONLY:
        raise ImproperlyConfigured(
            "HAVEN_ALLOWED_HOSTS is not set: list the host names Haven is served on, "
            "comma-separated."
        )

# The client address. Behind the proxy every connection comes from the proxy: without the
# address it forwards, the per-address sign-in limit would be shared by the whole organisation
# and the audit log's address hash would be the proxy's. `haven serve` (uvicorn) takes the
# address from X-Forwarded-For only when the connection comes from one of these addresses
# (or networks, e.g. 10.0.0.0/24; "*" trusts everyone: never where the web port is reachable
# from anywhere but the proxy), and sets it as the request's REMOTE_ADDR and the websocket's
# client. Everything in Haven (allauth's rate limits, the audit log) reads that and only that.
HAVEN_TRUSTED_PROXIES = env_list("HAVEN_TRUSTED_PROXIES", ["127.0.0.1"])
ALLAUTH_TRUSTED_PROXY_COUNT = 0  # never read X-Forwarded-For again, from whoever sent it
if env_str("HAVEN_TRUSTED_PROXY_COUNT"):
    raise ImproperlyConfigured(
        "HAVEN_TRUSTED_PROXY_COUNT is no longer read: list the reverse proxy's addresses in "
        "HAVEN_TRUSTED_PROXIES instead (default 127.0.0.1)."
    )

# Logs never carry content, nor request paths (they hold invitation and reset tokens) or query
# strings (they hold what people searched for): haven.accesslog writes one line per request
# naming its route, and its filter, on the one handler, rewrites Django's request warnings to
# name the route and drops the ASGI server's own path-bearing lines (docs/operations.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"without_paths": {"()": "haven.accesslog.WithoutPaths"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["without_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("HAVEN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default logging adds its own console handler (in debug) that would print
        # request paths unfiltered: everything goes through the one handler above instead.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG, Django's template engine logs a failed variable lookup together with the
        # whole template context, which can hold decrypted messages: never let it.
        "django.template": {"level": "WARNING"},
        # The access log has its own switch, so a quieter HAVEN_LOG_LEVEL keeps it.
        "haven.access": {"level": "INFO" if env_bool("HAVEN_ACCESS_LOG", True) else "WARNING"},
    },
}
