"""Settings, every value from the environment with a working development default.

A bad value stops start-up with a message naming the variable (see `env_bool`, `env_int`).
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}: {value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {value!r} is not a whole number") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {value!r} is not a number") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int_list(name: str, default: str) -> list[int]:
    items = env_list(name, default)
    try:
        return [int(item) for item in items]
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}: {','.join(items)!r} is not a comma-separated list of whole numbers"
        ) from None


def _development_secret_key() -> str:
    """A key generated once into var/ so sessions survive restarts in development."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SITE_NAME = "Nameplate"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "registrar",
    "zones",
    "healthchecks",
    "dnsfirewall",
    "resolver",
    "dnsserver",
    "route53",
    "console",
]

MIDDLEWARE = [
    # First, so that its latency covers every other middleware (nameplate/metrics.py).
    "nameplate.metrics.RequestMetricsMiddleware",
    # Early, so that the 503 page it answers while the database is away passes the rest unchanged.
    "nameplate.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nameplate.urls"
WSGI_APPLICATION = "nameplate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.site",
            ],
        },
    },
    {
        # Plain text (mail subjects and bodies, SMS): the same templates without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection the database dropped (a restart) is replaced at the next request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, DNS server) share the file: wait for locks, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests get a file of their own, not SQLite's shared-cache memory database: threads of the
    # test process (a DNS server's follower, a live server) then wait for locks as separate
    # processes do, instead of failing at once with "database table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
    }
}

# Only our own files: no inline script or style, no other origin (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "console-dashboard"
LOGOUT_REDIRECT_URL = "console-home"
EMAIL_VERIFICATION_MAX_AGE_SECONDS = env_int("EMAIL_VERIFICATION_MAX_AGE_SECONDS", 3 * 24 * 3600)
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# The issuer name authenticator apps show beside the account.
OTP_TOTP_ISSUER = SITE_NAME
# Wrong codes are counted by our own limit (as passwords are), atomically across processes;
# django-otp's per-device back-off would lock out the right code typed a second later.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: real SMTP when EMAIL_HOST is set; otherwise mails are written to var/mail/.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Nameplate <noreply@nameplate.test>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# SMS: a Twilio-style HTTP gateway when SMS_GATEWAY_URL is set; otherwise the development outbox.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_ACCOUNT = env_str("SMS_ACCOUNT", "")
SMS_TOKEN = env_str("SMS_TOKEN", "")
SMS_FROM_NUMBER = env_str("SMS_FROM_NUMBER", "")

# Production hardening follows DEBUG: with DEBUG off, cookies are HTTPS-only and HSTS is on.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.scopes.TokenScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "kernel.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.AnonRateThrottle",
        "accounts.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Seconds a web process reuses an API token it has read (0: never); a revocation reaches every
# other web process within them (accounts/authentication.py).
API_TOKEN_CACHE_SECONDS = env_float("API_TOKEN_CACHE_SECONDS", 1.0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Nameplate API",
    "DESCRIPTION": "Domains, hosted zones, record sets, change batches, health checks and alerts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are grouped (tagged) by their first path segment after /api/v1/, and each gets
    # a summary line (nameplate/schema.py), so the Swagger page reads as a table of contents.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "nameplate.schema.add_summaries",
    ],
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "tagsSorter": "alpha", "operationsSorter": "method"},
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# Redis does not know which worker holds a task: one taken and not yet acknowledged (acks_late)
# goes back to its queue once it has been out CELERY_VISIBILITY_TIMEOUT seconds, whether its
# worker died or is still running it. So the timeout is how long a killed worker's tasks wait
# before another worker runs them, and it must exceed the longest a task can run: the hard time
# limit (no task sets its own) defaults to 80% of it, and retry countdowns are capped below it
# (healthchecks/tasks.py), since a worker holds a countdown task unacknowledged until it is due.
# Five minutes: ordinary tasks take seconds, the longest (planning a 1,000,000-record zone
# import) about three (docs/deployment.md); an alert a dead worker held goes out within five.
# The thread pool (the Procfile's, the systemd units') does not enforce time limits: there the
# bound is each task's own timeouts (probes 9 s at most, mail and HTTP deliveries 10 s).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Every worker looks for such tasks every 10 s; by default kombu scans only every tenth look.
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    # A broker that vanished without closing the connection (a host or link gone) times out a
    # read instead of hanging the worker or a publishing web request; well above BRPOP's 1 s.
    "socket_timeout": 15,
    "socket_connect_timeout": 5,
}
CELERY_TASK_TIME_LIMIT = env_float("CELERY_TASK_TIME_LIMIT", CELERY_VISIBILITY_TIMEOUT * 0.8)
CELERY_TASK_SOFT_TIME_LIMIT = env_float("CELERY_TASK_SOFT_TIME_LIMIT", CELERY_TASK_TIME_LIMIT * 0.875)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT ({CELERY_TASK_SOFT_TIME_LIMIT}) < CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_TIME_LIMIT}) < CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT}) does not "
        "hold: a task still running would be handed to a second worker"
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Beat keeps its schedule in Redis and holds a lock there (celery-redbeat): a second beat, started
# by mistake or one per host, waits on the lock and takes over within the lock's timeout when
# the first one stops or dies, so every due task is sent once.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_REDBEAT_REDIS_URL = REDIS_URL
CELERY_REDBEAT_KEY_PREFIX = env_str("CELERY_REDBEAT_KEY_PREFIX", "redbeat")
CELERY_REDBEAT_LOCK_TIMEOUT = env_int("CELERY_REDBEAT_LOCK_TIMEOUT", 30)
# Also how often a waiting beat tries the lock: a standby takes over within about 5 + 30 s.
CELERY_BEAT_MAX_INTERVAL = env_int("CELERY_BEAT_MAX_INTERVAL", 5)

# One line per event (nameplate/logging.py): plain text, or one JSON object per line for a log
# shipper (LOG_FORMAT=json).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT: {LOG_FORMAT!r} is not plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "nameplate.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "json": {"()": "nameplate.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's defaults give its logger a handler of its own while DEBUG is on, which wrote
        # each request warning a second time, unformatted: its lines go to the root's handler.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
# Celery's workers and beat format their own log lines unless told to leave the root logger to
# the settings; in JSON they must not, or their lines would be the only plain ones.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# ---- registrar/ (registry and registrar) -------------------------------------------------
REGISTRY_TRANSFER_AUTO_APPROVE_DAYS = env_int("REGISTRY_TRANSFER_AUTO_APPROVE_DAYS", 5)
REGISTRY_REDEMPTION_DAYS = env_int("REGISTRY_REDEMPTION_DAYS", 30)
# The registry's own name servers: a.nic.<tld> and b.nic.<tld> for each TLD, and the root's.
REGISTRY_TLD_SERVER_ADDRESSES = env_list("REGISTRY_TLD_SERVER_ADDRESSES", "127.0.0.1")
REGISTRY_ROOT_SERVERS = env_list(
    "REGISTRY_ROOT_SERVERS", "a.root-servers.nameplate.test,b.root-servers.nameplate.test"
)
REGISTRY_ROOT_SERVER_ADDRESSES = env_list("REGISTRY_ROOT_SERVER_ADDRESSES", "127.0.0.1")
REGISTRY_HOSTMASTER = env_str("REGISTRY_HOSTMASTER", "hostmaster.registry.nameplate.test.")
# EPP client ids of our registrar and of the second registrar that transfers go to and come from.
REGISTRAR_CLIENT_ID = env_str("REGISTRAR_CLIENT_ID", "nameplate")
REGISTRAR_PEER_CLIENT_ID = env_str("REGISTRAR_PEER_CLIENT_ID", "elsewhere")
# Auto-renew runs this many days before expiry; reminder mails go out at these days before it.
REGISTRAR_AUTO_RENEW_DAYS_BEFORE = env_int("REGISTRAR_AUTO_RENEW_DAYS_BEFORE", 3)
REGISTRAR_REMINDER_DAYS = env_int_list("REGISTRAR_REMINDER_DAYS", "30,7")

# ---- zones/ (hosted zones and the DNS server) ---------------------------------------------
# Route 53 spreads a zone's four name servers over several TLDs; ours live under these domains.
DNS_NAMESERVER_DOMAINS = env_list(
    "DNS_NAMESERVER_DOMAINS", "nameplate-dns.com,nameplate-dns.net,nameplate-dns.org,nameplate-dns.io"
)


def _env_addresses(name: str, default: str, at_least: int) -> list[str]:
    """Addresses and FIRST-LAST ranges, expanded; distinct, and at least `at_least` of them."""
    addresses: list[str] = []
    for item in env_list(name, default):
        first, _, last = item.partition("-")
        try:
            start = ipaddress.ip_address(first.strip())
            end = ipaddress.ip_address(last.strip()) if last else start
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or a FIRST-LAST range"
            ) from None
        if start.version != end.version or end < start or int(end) - int(start) >= 65536:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a FIRST-LAST range (one IP version, FIRST not above LAST, "
                "at most 65,536 addresses)"
            )
        addresses.extend(str(ipaddress.ip_address(int(start) + n)) for n in range(int(end) - int(start) + 1))
    if len(set(addresses)) != len(addresses):
        raise ImproperlyConfigured(f"{name}: every address must be distinct; some repeat")
    if len(addresses) < at_least:
        raise ImproperlyConfigured(f"{name}: {len(addresses)} addresses where at least {at_least} are needed")
    return addresses


# Every name server has its own address, and the DNS server answers a zone only on the
# addresses of its own four. With D domains, the n-th address is the host
# ns-<n // D>.<the (n % D)-th domain>: 32 addresses make ns-0 to ns-7 under each domain.
# At most that many zones of one name (or of a name and names above and below it) can exist.
DNS_NAMESERVER_ADDRESSES = _env_addresses(
    "DNS_NAMESERVER_ADDRESSES", "127.0.53.10-127.0.53.41", len(DNS_NAMESERVER_DOMAINS)
)
# The port of the name servers' listeners (on each of DNS_NAMESERVER_ADDRESSES), as resolvers
# and the trace tool ask them: 53 on the Internet, and in development too (run as root).
DNS_NAMESERVER_PORT = env_int("DNS_NAMESERVER_PORT", 53)
if not 1 <= DNS_NAMESERVER_PORT <= 65535:
    raise ImproperlyConfigured(f"DNS_NAMESERVER_PORT: {DNS_NAMESERVER_PORT} is not a port from 1 to 65535")
# The private listener answers a network's private zones on that network's own address from
# this pool (one per network); only the network's resolver asks there.
DNS_PRIVATE_ADDRESSES = _env_addresses("DNS_PRIVATE_ADDRESSES", "127.0.55.10-127.0.55.250", 1)
# The port of the private listener's sockets (one on each of DNS_PRIVATE_ADDRESSES).
DNS_PRIVATE_PORT = env_int("DNS_PRIVATE_PORT", 53)
if not 1 <= DNS_PRIVATE_PORT <= 65535:
    raise ImproperlyConfigured(f"DNS_PRIVATE_PORT: {DNS_PRIVATE_PORT} is not a port from 1 to 65535")
DNS_HOSTMASTER = env_str("DNS_HOSTMASTER", "hostmaster.nameplate-dns.com.")
DNS_SERVER_LISTEN = env_list(
    "DNS_SERVER_LISTEN", "auth=127.0.0.1:8053,tld=127.0.0.1:8054,root=127.0.0.1:8055,rpz=127.0.0.1:8056"
)
# Where the DNS server keeps compiled versions of its large zones (at least
# DNS_ZONE_CACHE_MIN_RECORDS records), so that a restart reads them back instead of compiling
# them (dnsserver/zonecache.py); empty: no cache.
DNS_ZONE_CACHE_DIR = env_str("DNS_ZONE_CACHE_DIR", str(VAR_DIR / "dns-cache"))
DNS_ZONE_CACHE_MIN_RECORDS = env_int("DNS_ZONE_CACHE_MIN_RECORDS", 10_000)
# A JSON file of latency regions [{"name": ..., "latitude": ..., "longitude": ...}]; empty: built-in list.
DNS_LATENCY_REGIONS_FILE = env_str("DNS_LATENCY_REGIONS_FILE", "")
# A MaxMind-format (.mmdb) file to locate clients; empty: the database shipped with geoip2fast.
DNS_GEOIP_DATABASE = env_str("DNS_GEOIP_DATABASE", "")
# A plan (bulk edit, import, revert) deleting more than this share of a zone's record sets
# needs an explicit confirmation in the console (octoDNS's MAX_SAFE_DELETE_PCENT).
ZONES_MAX_SAFE_DELETE_PERCENT = env_int("ZONES_MAX_SAFE_DELETE_PERCENT", 30)
if not 0 <= ZONES_MAX_SAFE_DELETE_PERCENT <= 100:
    raise ImproperlyConfigured(
        f"ZONES_MAX_SAFE_DELETE_PERCENT: {ZONES_MAX_SAFE_DELETE_PERCENT} is not a percentage from 0 to 100"
    )

# ---- The Resolver (resolver/: one unbound per network) --------------------------------------
# Each network's unbound instance keeps its configuration, control socket, pidfile and logs in
# RESOLVER_DIR/<network id>/ (written by `manage.py resolvers` from the database).
RESOLVER_DIR = Path(env_str("RESOLVER_DIR", str(VAR_DIR / "resolvers")))
# The unbound program the supervisor runs.
RESOLVER_UNBOUND = env_str("RESOLVER_UNBOUND", "/usr/sbin/unbound")
# Inbound endpoints listen only on addresses of this pool (so no tenant can take a name server's
# address); one made without addresses takes the next free one, on this port.
RESOLVER_INBOUND_ADDRESSES = _env_addresses("RESOLVER_INBOUND_ADDRESSES", "127.0.54.10-127.0.54.250", 1)
RESOLVER_INBOUND_PORT = env_int("RESOLVER_INBOUND_PORT", 53)
# An outbound endpoint's source addresses (unbound's outgoing-interface) come from this pool.
RESOLVER_OUTBOUND_ADDRESSES = _env_addresses("RESOLVER_OUTBOUND_ADDRESSES", "127.0.54.10-127.0.54.250", 1)
# SYSTEM rules send their names to one shared unbound that only recurses from our root (unbound
# cannot exempt a name from a forward zone any other way): it listens here, on loopback.
RESOLVER_SYSTEM_ADDRESS = env_str("RESOLVER_SYSTEM_ADDRESS", "127.0.54.2")
RESOLVER_SYSTEM_PORT = env_int("RESOLVER_SYSTEM_PORT", 53)
for _name, _value in (
    ("RESOLVER_INBOUND_PORT", RESOLVER_INBOUND_PORT),
    ("RESOLVER_SYSTEM_PORT", RESOLVER_SYSTEM_PORT),
):
    if not 1 <= _value <= 65535:
        raise ImproperlyConfigured(f"{_name}: {_value} is not a port from 1 to 65535")
# The supervisor re-reads the database this often, in case a bus message was lost.
RESOLVER_RESYNC_SECONDS = env_float("RESOLVER_RESYNC_SECONDS", 5.0)
# Query-log entries older than this are deleted by the supervisor.
RESOLVER_QUERY_LOG_RETENTION_DAYS = env_int("RESOLVER_QUERY_LOG_RETENTION_DAYS", 7)
# Where our DNS server serves the DNS Firewall's RPZ zones (IP@PORT, the `rpz` listener): each
# network's resolver transfers its rule groups' zones from here. Empty: no firewall in the resolvers.
RESOLVER_FIREWALL_PRIMARY = env_str("RESOLVER_FIREWALL_PRIMARY", "127.0.0.1@8056")
# `manage.py resolvers` also runs the demo's "partner" DNS server here (IP:PORT), which the demo's
# forwarding rule for partner.example targets; empty runs none (the default outside DEBUG).
RESOLVER_DEMO_PARTNER = env_str("RESOLVER_DEMO_PARTNER", "127.0.54.3:53" if DEBUG else "")

# ---- healthchecks/ ------------------------------------------------------------------------
HEALTHCHECK_REGIONS = env_list("HEALTHCHECK_REGIONS", "us-east-1,eu-west-1,ap-southeast-1")
# A check is healthy while more than this share of its regions report it healthy (Route 53: 18%).
HEALTHCHECK_HEALTHY_REGION_SHARE = env_float("HEALTHCHECK_HEALTHY_REGION_SHARE", 0.18)
# Probe results older than this are deleted by the periodic prune task.
HEALTHCHECK_RESULT_RETENTION_DAYS = env_int("HEALTHCHECK_RESULT_RETENTION_DAYS", 7)
# The dispatcher claims probes due this far ahead; each probe then waits for its own second.
HEALTHCHECK_DISPATCH_LOOKAHEAD_SECONDS = env_float("HEALTHCHECK_DISPATCH_LOOKAHEAD_SECONDS", 1.5)
# Probes per run_probes task (they run concurrently inside it).
HEALTHCHECK_PROBE_BATCH_SIZE = env_int("HEALTHCHECK_PROBE_BATCH_SIZE", 250)
# Alert deliveries retry transport failures with exponential back-off up to this many times.
HEALTHCHECK_DELIVERY_MAX_RETRIES = env_int("HEALTHCHECK_DELIVERY_MAX_RETRIES", 8)
# An alert message or confirmation that no task took this long after it was enqueued (the
# dispatcher died in between) is enqueued again by the next dispatcher run.
HEALTHCHECK_REDISPATCH_AFTER_SECONDS = env_int("HEALTHCHECK_REDISPATCH_AFTER_SECONDS", 30)
# Confirmation resends per subscription (a new code each: these bound the texts to one number),
# and the confirmation texts one account may have sent a day (new SMS subscriptions and resends).
HEALTHCHECK_CONFIRMATION_RESENDS_PER_MINUTE = env_int("HEALTHCHECK_CONFIRMATION_RESENDS_PER_MINUTE", 1)
HEALTHCHECK_CONFIRMATION_RESENDS_PER_DAY = env_int("HEALTHCHECK_CONFIRMATION_RESENDS_PER_DAY", 5)
HEALTHCHECK_CONFIRMATION_SMS_PER_ACCOUNT_PER_DAY = env_int(
    "HEALTHCHECK_CONFIRMATION_SMS_PER_ACCOUNT_PER_DAY", 20
)
# Checks probe public addresses only. On, they may also probe loopback, private-use (10/8,
# 172.16/12, 192.168/16, fc00::/7) and documentation addresses, and local names (localhost,
# .local, .internal, .home.arpa): `make run` and the test suite turn it on for their local targets.
HEALTHCHECK_ALLOW_LOCAL_TARGETS = env_bool("HEALTHCHECK_ALLOW_LOCAL_TARGETS", False)
# The two local demo targets `manage.py demotargets` serves (primary can be switched off in the console).
HEALTHCHECK_DEMO_PRIMARY = env_str("HEALTHCHECK_DEMO_PRIMARY", "127.0.0.1:8081")
HEALTHCHECK_DEMO_SECONDARY = env_str("HEALTHCHECK_DEMO_SECONDARY", "127.0.0.1:8082")

# Each checker region is a Celery queue. A worker started without -Q serves the default queue
# and every region; `celery -A nameplate worker -Q <region>` serves one region only.
CELERY_TASK_QUEUES = [Queue(CELERY_TASK_DEFAULT_QUEUE), *(Queue(region) for region in HEALTHCHECK_REGIONS)]

# ---- web server (gunicorn; nameplate/gunicorn.conf.py reads these) ---------------------------


def env_listen(name: str, default: str) -> str:
    """HOST:PORT ([IPv6]:PORT), or empty for none."""
    value = env_str(name, default)
    host, _, port = value.rpartition(":")
    if value and not (host and port.isdigit() and int(port) < 65536):
        raise ImproperlyConfigured(f"{name}: {value!r} is not HOST:PORT")
    return value


# Where gunicorn listens (HOST:PORT), behind the reverse proxy.
WEB_BIND = env_listen("WEB_BIND", "127.0.0.1:8000")
# gunicorn's worker class. sync (the default): one request at a time per process, each taken
# from the shared listen queue by whichever process is free, so 50 clients wait alike (the
# p99 shorter than gthread's in 7 of 8 interleaved runs, docs/deployment.md); it wants the
# buffering reverse proxy of deploy/ in front. gthread: WEB_THREADS threads per process, keep-alive
# connections held by the process that accepted them, for a web exposed without that proxy.
WEB_WORKER_CLASS = env_str("WEB_WORKER_CLASS", "sync")
if WEB_WORKER_CLASS not in ("sync", "gthread"):
    raise ImproperlyConfigured(f"WEB_WORKER_CLASS: {WEB_WORKER_CLASS!r} is not sync or gthread")
# Processes: sync, one more than the cores, so that a core is busy while a request waits on
# PostgreSQL or Redis; gthread, one per core with two threads each (more threads per process
# only fight over its interpreter lock: 2 threads gave 1.4x the requests/s of 8).
WEB_WORKERS = env_int(
    "WEB_WORKERS", (os.cpu_count() or 1) + 1 if WEB_WORKER_CLASS == "sync" else max(2, os.cpu_count() or 1)
)
WEB_THREADS = env_int("WEB_THREADS", 2)
# A request still running after this long is killed with its worker, which is then restarted.
WEB_TIMEOUT_SECONDS = env_int("WEB_TIMEOUT_SECONDS", 30)
# On restart or stop, requests in flight get this long to finish.
WEB_GRACEFUL_TIMEOUT_SECONDS = env_int("WEB_GRACEFUL_TIMEOUT_SECONDS", 30)
# Idle keep-alive connections from the reverse proxy are closed after this long.
WEB_KEEPALIVE_SECONDS = env_int("WEB_KEEPALIVE_SECONDS", 5)
# The addresses whose X-Forwarded-* headers gunicorn believes: the reverse proxy's.
WEB_FORWARDED_ALLOW_IPS = env_str("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# ---- metrics (Prometheus, nameplate/metrics.py) ----------------------------------------------
# Each process kind answers GET /metrics on a listener of its own; empty turns that one off.
# Several workers on one host need a port each (METRICS_WORKER_LISTEN per unit).
METRICS_WEB_LISTEN = env_listen("METRICS_WEB_LISTEN", "127.0.0.1:9101")
METRICS_WORKER_LISTEN = env_listen("METRICS_WORKER_LISTEN", "127.0.0.1:9102")
# The DNS server's; with `dnsserver --workers N`, worker i listens on this port + i.
METRICS_DNS_LISTEN = env_listen("METRICS_DNS_LISTEN", "127.0.0.1:9103")
# `manage.py resolvers`: every network's unbound counters (unbound-control stats_noreset).
METRICS_RESOLVER_LISTEN = env_listen("METRICS_RESOLVER_LISTEN", "127.0.0.1:9104")
