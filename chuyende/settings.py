from pathlib import Path

from django.utils.translation import gettext_lazy as _

from chuyende.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("CHUYENDE_DEBUG", False)
SECRET_KEY = env_str("CHUYENDE_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    SECRET_KEY = "chuyende-local-default-key-set-CHUYENDE_SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("CHUYENDE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "testserver"])

INSTALLED_APPS = [
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
    "chuyende.core",
    "chuyende.accounts",
    "chuyende.audit",
    "chuyende.organisation",
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
    "chuyende.exports",
    "chuyende.api",
    "chuyende.figures",
    "chuyende.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chuyende.core.middleware.NotInScopeMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["chuyende.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "chuyende" / "static"]
MEDIA_ROOT = Path(env_str("CHUYENDE_MEDIA_ROOT", str(BASE_DIR / "media")))
MATERIAL_UPLOAD_MAX_BYTES = env_int("CHUYENDE_MATERIAL_UPLOAD_MAX_MB", 20) * 1_048_576

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
DEMO_SCENARIO = BASE_DIR.parent / "shared" / "domain" / "scenario-hoa-an-2024.yaml"

# --- REST API (chuyende/api): token or session, scoped like the pages, errors as JSON ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
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
IMPORT_UPLOAD_MAX_BYTES = env_int("CHUYENDE_IMPORT_UPLOAD_MAX_MB", 50) * 1_048_576
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1_048_576
