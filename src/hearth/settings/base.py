"""Hearth's settings, read from the environment (see docs/configuration.md).

With no environment at all Hearth runs embedded: SQLite and media under
``HEARTH_DATA_DIR`` (default ``./var``), mail written to files, a secret key
generated once and kept in the data directory. Every variable read here is
listed in ``.env.example`` and ``docs/configuration.md``; a test keeps the
three in step.
"""

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from hearth.core.private_files import make_private_directory
from hearth.settings.mail import default_sender, mailers_from_url
from hearth.settings.secret_key import load_or_create_secret_key

django_stubs_ext.monkeypatch()  # lets generic Django classes take type arguments at run time

PACKAGE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False

# Members' words live here (database, mail, media): readable by Hearth's user only.
DATA_DIR = make_private_directory(Path(env.str("HEARTH_DATA_DIR", default="var")).resolve())

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or load_or_create_secret_key(DATA_DIR)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Unset, pages link to the address they were asked at (hearth.core.site_address): a
# Hearth run on another port or host links to itself; mail keeps the default.
SITE_URL_IS_SET = bool(env.str("SITE_URL", default="").strip())
_site = urlsplit(SITE_URL)
SITE_IS_HTTPS = _site.scheme == "https"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[_site.hostname or "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# Community identity and operator switches.
HEARTH_SITE_NAME = env.str("HEARTH_SITE_NAME", default="Hearth")
HEARTH_TAGLINE = env.str("HEARTH_TAGLINE", default="Share, connect, and learn.")
HEARTH_ALLOW_INDEXING = env.bool("HEARTH_ALLOW_INDEXING", default=False)
HEARTH_ADMIN_PATH = env.str("HEARTH_ADMIN_PATH", default="admin/").strip("/") + "/"
HEARTH_AVATAR_MAX_BYTES = env.int("HEARTH_AVATAR_MAX_BYTES", default=2 * 1024 * 1024)
HEARTH_DEFAULT_COUNTRY = env.str("HEARTH_DEFAULT_COUNTRY", default="GB")
HEARTH_SIGNUP_OPEN = env.bool("HEARTH_SIGNUP_OPEN", default=True)
# The slug of the category where new members are invited to introduce themselves, on
# the welcome page (empty: no such category, no link).
HEARTH_INTRODUCTIONS_CATEGORY = env.str("HEARTH_INTRODUCTIONS_CATEGORY", default="")
# Moderation: when someone is on duty (told honestly to members in the crisis
# panel and after a report), the response targets, and holding new members'
# first posts for approval (0 = never).
HEARTH_MODERATION_HOURS = env.str("HEARTH_MODERATION_HOURS", default="mon-sun 08:00-22:00")
HEARTH_MODERATION_TIME_ZONE = env.str("HEARTH_MODERATION_TIME_ZONE", default="Europe/London")
HEARTH_REPORT_TARGET_HOURS = env.int("HEARTH_REPORT_TARGET_HOURS", default=24)
HEARTH_CHECK_IN_TARGET_HOURS = env.int("HEARTH_CHECK_IN_TARGET_HOURS", default=4)
HEARTH_HOLD_FIRST_POSTS = env.int("HEARTH_HOLD_FIRST_POSTS", default=0)
# The most members one post may @mention, and the most for a member in their
# first week (a mention notifies: a long list of names is spam, not a conversation).
HEARTH_MOST_MENTIONS_PER_POST = env.int("HEARTH_MOST_MENTIONS_PER_POST", default=10)
HEARTH_MOST_MENTIONS_FIRST_WEEK = env.int("HEARTH_MOST_MENTIONS_FIRST_WEEK", default=3)
# Check the messages members send in private conversations against the crisis rules,
# to show the writer (only) the private crisis panel; the composer says so (CARE.md).
HEARTH_CRISIS_CHECK_CONVERSATIONS = env.bool("HEARTH_CRISIS_CHECK_CONVERSATIONS", default=True)
# Private conversations: a member is "new" for this many days; new members may start
# conversations with at most this many members a day, and cannot be messaged until
# they choose otherwise (CARE.md: conversations are off for new accounts).
HEARTH_NEW_MEMBER_DAYS = env.int("HEARTH_NEW_MEMBER_DAYS", default=7)
HEARTH_NEW_MEMBER_CONVERSATIONS_PER_DAY = env.int(
    "HEARTH_NEW_MEMBER_CONVERSATIONS_PER_DAY", default=3
)
# A member's own data: an account deletion waits this many days (signing in
# cancels it), and a data export can be downloaded for this many days.
HEARTH_ACCOUNT_DELETION_GRACE_DAYS = env.int("HEARTH_ACCOUNT_DELETION_GRACE_DAYS", default=7)
HEARTH_EXPORT_DAYS = env.int("HEARTH_EXPORT_DAYS", default=7)
# Deleted accounts (ids only), kept outside the database so a restore from an older
# backup can delete them again (``hearth replay_deletions``).
HEARTH_DELETED_ACCOUNTS_FILE = Path(
    env.str("HEARTH_DELETED_ACCOUNTS_FILE", default=str(DATA_DIR / "deleted_accounts.jsonl"))
)
# Live updates (/live/): how long the event log is kept for streams that reconnect,
# how often a process without PostgreSQL's LISTEN reads it, the heartbeat, and how
# long one stream lasts before the browser reconnects (and is authenticated again).
HEARTH_LIVE_REPLAY_SECONDS = env.int("HEARTH_LIVE_REPLAY_SECONDS", default=600)
HEARTH_LIVE_POLL_SECONDS = env.float("HEARTH_LIVE_POLL_SECONDS", default=0.25)
HEARTH_LIVE_HEARTBEAT_SECONDS = env.float("HEARTH_LIVE_HEARTBEAT_SECONDS", default=20.0)
HEARTH_LIVE_STREAM_SECONDS = env.float("HEARTH_LIVE_STREAM_SECONDS", default=300.0)
# Where pages open the stream: the same origin's /live/ (a reverse proxy sends it to
# `hearth live`), or, when HEARTH_LIVE_PORT is set (`hearth serve` sets it), that port
# on the host the browser used.
HEARTH_LIVE_URL = env.str("HEARTH_LIVE_URL", default="/live/")
HEARTH_LIVE_PORT = env.int("HEARTH_LIVE_PORT", default=0)
# Search: the language whose rules (stemming, stop words) PostgreSQL applies to
# posts (a category may have its own, in the admin), and how many searches a
# member (or a visitor's address) may run, "COUNT/SECONDS".
HEARTH_SEARCH_LANGUAGE = env.str("HEARTH_SEARCH_LANGUAGE", default="english")
HEARTH_SEARCH_RATE_LIMIT = env.str("HEARTH_SEARCH_RATE_LIMIT", default="60/60")
# Writing rate limits per member, "COUNT/SECONDS": posts (threads and
# replies), and the lighter actions (previews, reactions, draft saves).
HEARTH_POST_RATE_LIMIT = env.str("HEARTH_POST_RATE_LIMIT", default="20/600")
HEARTH_ACTION_RATE_LIMIT = env.str("HEARTH_ACTION_RATE_LIMIT", default="240/600")
# Uploads larger than this are refused with 413 before Django reads them.
HEARTH_MAX_REQUEST_BYTES = env.int("HEARTH_MAX_REQUEST_BYTES", default=4 * 1024 * 1024)
# A request body must arrive within this many seconds (0: no limit), or it is
# answered 408 and its page thread is freed (hearth.core.body_reads).
HEARTH_BODY_READ_TIMEOUT = env.float("HEARTH_BODY_READ_TIMEOUT", default=60.0)

# Between sessions (the private toolkit): Fernet keys for its encrypted text,
# comma-separated, the first one current. Unset means the key file
# HEARTH_DATA_DIR/toolkit_keys, created on first use (docs/configuration.md).
HEARTH_TOOLKIT_KEYS = env.list("HEARTH_TOOLKIT_KEYS", default=[])

INSTALLED_APPS = [
    "hearth.core",
    "hearth.accounts",
    "hearth.safety",
    "hearth.forum",
    "hearth.moderation",
    "hearth.conversations",
    "hearth.notifications",
    "hearth.between_sessions",
    "hearth.welcome",
    "hearth.member_data",
    "hearth.live",
    "hearth.search",
    "hearth.api",
    "hearth.operations",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_countries",
    "django_tasks_db",
    "ninja",
]

# Background tasks (hearth worker): rows in the database, enqueued in the
# transaction of the write that needs them (docs/architecture.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "hearth.core.middleware.PrivacyHeadersMiddleware",
    # The JSON API's error shape for errors answered before its views (hearth.api).
    "hearth.api.middleware.ApiErrorShapeMiddleware",
    "hearth.core.middleware.RequestSizeLimitMiddleware",
    "hearth.core.middleware.UnstorableInputMiddleware",
    "hearth.core.database_trouble.DatabaseTroubleMiddleware",
    "hearth.core.database_trouble.BestEffortSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, the member read through the member cache.
    "hearth.accounts.middleware.MemberAuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "hearth.core.http.SignInRequiredMiddleware",
    "hearth.accounts.middleware.MemberPreferencesMiddleware",
    "hearth.moderation.middleware.SuspensionMiddleware",
    # The community guidelines to accept again, and a new member's welcome, come first.
    "hearth.welcome.middleware.GuidelinesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A member taking a break sees a calm page instead of the forum (after htmx: it asks).
    "hearth.notifications.middleware.BreakMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hearth.core.context_processors.site",
                "hearth.safety.context_processors.moderation_hours",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

FORM_RENDERER = "hearth.core.forms.HearthFormRenderer"

# Databases: SQLite embedded by default, PostgreSQL when DATABASE_URL says so.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 5,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; "
        "PRAGMA foreign_keys=ON;"
    ),
}
if database_url := env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url_config(database_url)}
    # A Unix-socket directory arrives percent-encoded (postgres://%2Frun%2Fpostgresql/db),
    # as libpq URLs write it; django-environ leaves it encoded.
    DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "hearth.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    # Keep the connection (and its PRAGMAs) between requests.
    DATABASES["default"].setdefault("CONN_MAX_AGE", None)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("HEARTH_CONN_MAX_AGE", default=300))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode a cursor may not outlive its transaction
    # (docs/scaling.md): .iterator() then reads in chunks without a server-side cursor.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "HEARTH_PGBOUNCER", default=False
    )
    if not DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]:
        # No JIT: every query here is short, and compiling one costs more than it saves
        # (30 ms on a page of a long thread, measured). PgBouncer passes no startup
        # options: there, `ALTER ROLE ... SET jit = off` (docs/scaling.md).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Read replicas (hearth.core.replicas, docs/scaling.md): a visitor's GET reads one; a
# member, every write and every transaction use the primary.
if replica_urls := env.list("DATABASE_REPLICA_URLS", default=[]):
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL (PostgreSQL)")
    for number, replica_url in enumerate(replica_urls, start=1):
        replica = env.db_url_config(replica_url)
        replica["HOST"] = unquote(replica.get("HOST") or "")
        for copied in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
            replica[copied] = DATABASES["default"][copied]
        replica["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            **replica.get("OPTIONS", {}),
        }
        replica["TEST"] = {"MIRROR": "default"}
        DATABASES[f"replica{number}"] = replica
    DATABASE_ROUTERS = ["hearth.core.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(1, "hearth.core.replicas.VisitorReadsFromReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: one cache shared by every process. Redis when configured;
# otherwise files in the data directory on SQLite (a database cache would add
# writes, and fsyncs, to the one SQLite writer's queue), and the database on
# PostgreSQL. Rate-limit counters are not in it: they need an atomic add in a
# store every process shares (hearth.core.rate_counters).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hearth_cache",
        }
    }
# The signed-in member and their session from Redis, not the database, on each request:
# the member's row through hearth.accounts.member_cache (a version token makes every
# write seen at once by every process), the session through Django's cached_db store
# (the database stays the record). Without Redis the cache is files or the database
# itself, which would save nothing: off unless asked for.
HEARTH_MEMBER_CACHE = env.bool("HEARTH_MEMBER_CACHE", default=bool(REDIS_URL))
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Whole pages of public categories shared between visitors (hearth.core.page_cache),
# under version tokens renewed by every change they show. Redis only, by default, for
# the same reason.
HEARTH_PUBLIC_PAGE_CACHE = env.bool("HEARTH_PUBLIC_PAGE_CACHE", default=bool(REDIS_URL))
# Rendered fragments: per process, in memory, unpickled (hearth.core.memory_cache).
# Their keys carry every version they depend on, so processes never need to
# tell each other to forget one; a stale entry is simply never asked for again.
CACHES["fragments"] = {
    "BACKEND": "hearth.core.memory_cache.ProcessMemoryCache",
    "LOCATION": "hearth-fragments",
    # Bounded in bytes; a fragment over 64 KiB (a post of the largest size) is not kept.
    "OPTIONS": {"MAX_BYTES": env.int("HEARTH_FRAGMENT_CACHE_MB", default=32) * 1024 * 1024},
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
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: verified email, login by username or email, no enumeration.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Signed in on confirming, in the browser that signed up (allauth checks the session).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{HEARTH_SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _site.scheme or "http"
ACCOUNT_FORMS = {
    "login": "hearth.accounts.forms.LoginForm",
    "signup": "hearth.accounts.forms.SignupForm",
}
ACCOUNT_ADAPTER = "hearth.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS_ENABLED = env.bool("HEARTH_RATE_LIMITS", default=True)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    ACCOUNT_RATE_LIMITS = False
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("HEARTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

# Mail: SMTP from EMAIL_URL, otherwise one .eml file per message under the
# data directory, so the verification link can be opened by hand.
EMAIL_DIR = DATA_DIR / "mail"
MAILERS = mailers_from_url(env.str("EMAIL_URL", default=""), EMAIL_DIR)
# Mail comes from the community's name, at an address nobody reads unless the operator
# names one: members are told who to ask on the pages, not to reply.
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=default_sender(HEARTH_SITE_NAME, _site.hostname or "localhost")
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
# The languages members may choose: only those whose catalogue is complete, so a page is
# never half in English (core/tests/test_catalogues.py fails for a message left
# untranslated). Adding one: docs/translating.md.
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
]
# One catalogue per language for the whole project (src/hearth/locale), not one per app:
# translators work in one file, and a string moved between apps keeps its translation.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("HEARTH_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "hearth.core.static_storage.StaticFilesStorage"},
}
# Uploads in S3-compatible object storage instead of MEDIA_ROOT (hearth.core.object_storage):
# still addressed as /media/..., which checks the viewer and redirects to a signed URL.
HEARTH_MEDIA_BUCKET = env.str("HEARTH_MEDIA_BUCKET", default="")
MEDIA_ORIGIN = ""
if HEARTH_MEDIA_BUCKET:
    from hearth.core.object_storage import object_storage_options, object_storage_origin

    _media_options = object_storage_options(
        HEARTH_MEDIA_BUCKET,
        region=env.str("HEARTH_MEDIA_REGION", default=""),
        endpoint_url=env.str("HEARTH_MEDIA_ENDPOINT_URL", default=""),
    )
    STORAGES["default"] = {
        "BACKEND": "hearth.core.object_storage.PrivateObjectStorage",
        "OPTIONS": _media_options,
    }
    MEDIA_ORIGIN = object_storage_origin(_media_options)
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_PERMISSIONS = 0o640
# Forms read bodies up to the request limit, so a post that is too long gets
# Hearth's own message, with the text kept, rather than Django's generic 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = HEARTH_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = HEARTH_MAX_REQUEST_BYTES

# Security headers. The CSP allows nothing from other origins, ever, but the
# operator's own media bucket when uploads live in one (for images only).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"] + ([MEDIA_ORIGIN] if MEDIA_ORIGIN else []),
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF]
    + (
        [f"http://*:{HEARTH_LIVE_PORT}", f"https://*:{HEARTH_LIVE_PORT}"]
        if HEARTH_LIVE_PORT
        else []
    ),
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if SITE_IS_HTTPS:
    SECURE_SSL_REDIRECT = env.bool("HEARTH_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Health probes come from the machine itself or a load balancer, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("HEARTH_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("HEARTH_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
else:
    SILENCED_SYSTEM_CHECKS = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("HEARTH_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
CSRF_FAILURE_VIEW = "hearth.core.views.csrf_failure"
