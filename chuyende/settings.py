import datetime
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from chuyende.env import database_from_url, env_bool, env_choice, env_int, env_int_at_least, env_list, env_str
from chuyende.logconfig import logging_config
from chuyende.production import DEVELOPMENT_SECRET_KEY, production_secret_key, refuse_debug_in_production

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Production or development (README, Production) ---------------------------------------------------
# production (scripts/production, the systemd units): refuses debug mode and a missing, published or weak
# CHUYENDE_SECRET_KEY, serves HTTPS behind a reverse proxy unless CHUYENDE_HTTPS=0, and static files
# from `collectstatic`'s hashed copies. development (the default: scripts/start, scripts/test, pytest):
# a fixed key, plain HTTP and the static files straight from the source folders.
PRODUCTION = env_choice("CHUYENDE_ENV", ("development", "production"), "development") == "production"
DEBUG = env_bool("CHUYENDE_DEBUG", False)
if PRODUCTION:
    refuse_debug_in_production(DEBUG)
    SECRET_KEY = production_secret_key(env_str("CHUYENDE_SECRET_KEY", ""))
else:
    SECRET_KEY = env_str("CHUYENDE_SECRET_KEY", "") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("CHUYENDE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CHUYENDE_CSRF_TRUSTED_ORIGINS", [])

# HTTPS, terminated by the reverse proxy, which sets X-Forwarded-Proto (and must overwrite a client's).
# CHUYENDE_HTTPS=0 is for an intranet without TLS: cookies travel in clear, so `check --deploy` warns.
HTTPS = env_bool("CHUYENDE_HTTPS", PRODUCTION)
SILENCED_SYSTEM_CHECKS: list[str] = []
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("CHUYENDE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CHUYENDE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("CHUYENDE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading asks browsers to hard-code HTTPS for the whole registered domain: the domain
        # owner's decision (CHUYENDE_HSTS_PRELOAD=1), not a default of one application on it.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "chuyende.accounts",  # first: its createsuperuser replaces Django's
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_guid",
    "csp",
    "chuyende.core",
    "chuyende.audit",
    "chuyende.organisation",
    "chuyende.restructuring",
    "chuyende.members",
    "chuyende.campaigns",
    "chuyende.events",
    "chuyende.returns",
    "chuyende.outreach",
    "chuyende.materials",
    "chuyende.pledges",
    "chuyende.supervision",
    "chuyende.reports",
    "chuyende.imports",
    "chuyende.notifications",
    "chuyende.exports",
    "chuyende.api",
    "chuyende.figures",
    "chuyende.demo",
]

MIDDLEWARE = [
    # First, so that every log line of the request, an error page included, carries its id.
    "django_guid.middleware.guid_middleware",
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
    "chuyende.core.middleware.NotInScopeMiddleware",
    "chuyende.accounts.middleware.FirstRunMiddleware",
    "chuyende.accounts.middleware.AccountStateMiddleware",
]

ROOT_URLCONF = "chuyende.urls"
WSGI_APPLICATION = "chuyende.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chuyende" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", ""), base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "figures:dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Accounts (chuyende/accounts): passwords, sessions, API tokens, first run ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HISTORY_SIZE = 5  # a new password differs from the current one and the 4 before it
SESSION_COOKIE_AGE = env_int("CHUYENDE_SESSION_HOURS", 12) * 3600
API_TOKEN_DAYS = env_int("CHUYENDE_API_TOKEN_DAYS", 30)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["chuyende.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("CHUYENDE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "chuyende" / "static"]
# WhiteNoise serves the static files from gunicorn. Production: the hashed, compressed copies that
# `collectstatic` writes to STATIC_ROOT (cached for a year by browsers). Development: the source
# folders, looked up at each request, without collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Files under unhashed names (development storage, as the browser tests' server runs) are cached for an
# hour, so that a page after the first does not fetch app.js or chart.js again (debug: never cached, so
# an edited file shows at once). Hashed names are cached for good whatever this says.
WHITENOISE_MAX_AGE = 0 if DEBUG else env_int("CHUYENDE_STATIC_MAX_AGE", 3600)
MEDIA_ROOT = Path(env_str("CHUYENDE_MEDIA_ROOT", str(BASE_DIR / "media")))
MATERIAL_UPLOAD_MAX_BYTES = env_int("CHUYENDE_MATERIAL_UPLOAD_MAX_MB", 20) * 1_048_576

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (tests/core/test_security_headers.py checks the templates): the
# pages load app.js, app.css and their own static files only. /api/docs/ gets its own, looser policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],  # /sw.js (chuyende/core/offline.py)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
DEMO_SCENARIO = BASE_DIR.parent / "shared" / "domain" / "scenario-hoa-an-2024.yaml"
DEMO_REFORM = DEMO_SCENARIO.with_name("scenario-hoa-an-2025-reform.yaml")
DEMO_SCENARIOS = (DEMO_SCENARIO, DEMO_REFORM)

# --- REST API (chuyende/api): token or session, scoped like the pages, errors as JSON ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chuyende.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "chuyende.accounts.authentication.PasswordIsNotTemporary",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "chuyende.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "chuyende API",
    "DESCRIPTION": "Units, members, campaigns, events, returns, outreach, materials, pledges, reports and "
                   "the roll-up figures, in the caller's subtree.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Background jobs (imports): rows in the database, run by `manage.py db_worker` ---
TASKS = {
    "default": {
        "BACKEND": env_str("CHUYENDE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# --- Notifications (chuyende/notifications): e-mailed too when a mail server is set -----------------------
# Without CHUYENDE_EMAIL_HOST the notifications stay in the inbox (/thong-bao/) only.
EMAIL_HOST = env_str("CHUYENDE_EMAIL_HOST", "")
EMAIL_PORT = env_int("CHUYENDE_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("CHUYENDE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CHUYENDE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CHUYENDE_EMAIL_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("CHUYENDE_EMAIL_FROM", "chuyende@localhost")
# The address of the site, for the links of the e-mails (e.g. https://chuyende.example.vn); none if empty.
SITE_URL = env_str("CHUYENDE_SITE_URL", "")
IMPORT_UPLOAD_MAX_BYTES = env_int("CHUYENDE_IMPORT_UPLOAD_MAX_MB", 50) * 1_048_576
# A job still waiting for the runner after this many seconds: its page says that no runner seems to run.
IMPORT_QUEUE_STALL_SECONDS = 60
# The job runner's memory ceiling (manage.py run_worker, RLIMIT_DATA), in MB; 0 for none.
WORKER_MEMORY_MB = env_int_at_least("CHUYENDE_WORKER_MEMORY_MB", 2048, 0)
# Bounds on what an uploaded spreadsheet may make the reader do (chuyende/imports/limits.py). A legitimate
# LibreOffice .ods of 200,000 rows unpacks to about 250 MB at about 40:1 (measured: 125 MB for 100,000).
IMPORT_MAX_UNPACKED_BYTES = env_int_at_least("CHUYENDE_IMPORT_MAX_UNPACKED_MB", 512, 1) * 1_048_576
IMPORT_MAX_COMPRESSION_RATIO = env_int_at_least("CHUYENDE_IMPORT_MAX_COMPRESSION_RATIO", 100, 2)
IMPORT_MAX_ROWS = env_int_at_least("CHUYENDE_IMPORT_MAX_ROWS", 250_000, 100)
IMPORT_MAX_COLUMNS = env_int_at_least("CHUYENDE_IMPORT_MAX_COLUMNS", 64, 16)
IMPORT_MAX_CELLS = env_int_at_least("CHUYENDE_IMPORT_MAX_CELLS", 5_000_000, 10_000)
IMPORT_MAX_SHARED_STRINGS = env_int_at_least("CHUYENDE_IMPORT_MAX_SHARED_STRINGS", 600_000, 1_000)
IMPORT_MAX_READ_SECONDS = env_int_at_least("CHUYENDE_IMPORT_MAX_READ_SECONDS", 120, 1)
# Form fields (not files) held in memory: at most this much of a body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1_048_576
# Uploaded files: the first handler stops a file over its view's limit while it streams in (an import:
# IMPORT_UPLOAD_MAX_BYTES); the others keep a file of up to FILE_UPLOAD_MAX_MEMORY_SIZE in memory and
# write a larger one to a temporary file chunk by chunk, so no upload is ever held in memory whole.
FILE_UPLOAD_HANDLERS = [
    "chuyende.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Logging: console and a rotating file, every line with its request's id (chuyende/logconfig.py) ---
LOG_DIR = Path(env_str("CHUYENDE_LOG_DIR", str(BASE_DIR / "logs")))
LOGGING = logging_config(
    log_dir=LOG_DIR,
    level=env_choice("CHUYENDE_LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper(),
    max_bytes=env_int("CHUYENDE_LOG_MAX_MB", 10) * 1_048_576,
    backups=env_int("CHUYENDE_LOG_BACKUPS", 10),
)
# django-guid: the request id, returned in X-Request-ID; 12 hex digits are short enough to read out.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "UUID_LENGTH": 12,
    "EXPOSE_HEADER": False,
}

# --- Login limits (django-axes) and backups: issue 9, items 4 and 6 ---
# An account (a login name, whoever types it and from wherever) is locked after this many failed logins in
# a row, on the login page and POST /api/v1/token/ alike; it opens again this many minutes after the last
# failure counted. `manage.py axes_reset_username NAME` opens it at once.
LOGIN_FAILURE_LIMIT = env_int_at_least("CHUYENDE_LOGIN_FAILURE_LIMIT", 20, 1)
LOGIN_LOCKOUT_MINUTES = env_int_at_least("CHUYENDE_LOGIN_LOCKOUT_MINUTES", 30, 1)
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # turns a locked-out login into the lockout page
AUTHENTICATION_BACKENDS = [
    "chuyende.accounts.login_limits.LoginLimitBackend",  # first: refuses a locked account before any check
    # Django's ModelBackend, loading the user with their unread notifications counted (the badge).
    "chuyende.notifications.backends.UserBackend",
]
# Reverse proxies in front that append the client's address to X-Forwarded-For (deploy/nginx: 1). The
# change log and the token endpoint's rate use that address; 0 takes REMOTE_ADDR and ignores the header.
PROXY_COUNT = env_int_at_least("CHUYENDE_PROXY_COUNT", 0, 0)
AXES_CLIENT_IP_CALLABLE = "chuyende.accounts.login_limits.client_address"
REST_FRAMEWORK["NUM_PROXIES"] = PROXY_COUNT
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the lockout keys, against lockouts keyed on browser or cookie that
# a rotating attacker escapes. The name alone is escaped by no rotation; keyed on address too, it would let
# anyone behind an office's shared address clear an attacker's count there by logging in.
SILENCED_SYSTEM_CHECKS.append("axes.W006")
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the time the lockout message gives holds
AXES_LOCKOUT_CALLABLE = "chuyende.accounts.login_limits.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # logins are in the change log (chuyende/audit)
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False  # no "AXES: BEGIN" line in the log at every start
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"token": "30/minute"}  # POST /api/v1/token/ per client address
# `manage.py backup` writes here unless given --output (chuyende/core/backup.py).
BACKUP_DIR = Path(env_str("CHUYENDE_BACKUP_DIR", str(BASE_DIR / "backups")))
