"""Settings shared by every environment.

With no variables set this runs on a SQLite file with Celery tasks executed in-process,
so one command can bring the product up on a fresh machine. ``DATABASE_URL`` and
``CELERY_BROKER_URL`` switch to PostgreSQL and Redis-backed workers.
"""

from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from celery.schedules import crontab
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The staff admin's theme (django-unfold): before django.contrib.admin, whose
    # templates it replaces. Its CSS, scripts and fonts are served from its static folder.
    "unfold",
    "django.contrib.admin",
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
    "django_celery_beat",
    "common.apps.LoginProtectionConfig",  # django-axes, named in the page's language
    "common",
    "accounts",
    "contracts",
    "kpis",
    "obligations",
    "settlements",
    "banking",
    "receivables",
    "integrations",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles any query the planner guesses to be costly; on these short
    # OLTP queries (a few joins over small tables) it spent 0.6 s compiling a 1 ms query.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# A persistent connection is checked before reuse: after PostgreSQL restarts, the next
# request reconnects instead of failing with 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Logins (portal and admin): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is locked out for AXES_COOLOFF_MINUTES (django-axes, attempts kept
# in the database); a right password resets the count. The API uses tokens, not passwords.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
# Behind a reverse proxy, the client's address is the last the proxies add: set the number
# of proxies in front (0: the connection's own address, REMOTE_ADDR).
AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Password-reset e-mails: at most this many per address and per client address an hour
# (accounts.portal.PortalPasswordResetView; counted in the cache below).
PASSWORD_RESET_PER_EMAIL_PER_HOUR = env.int("PASSWORD_RESET_PER_EMAIL_PER_HOUR", default=5)
PASSWORD_RESET_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_PER_IP_PER_HOUR", default=20)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# locale/ is ours (makemessages); locale_unfold/ holds Chinese for django-unfold's own
# interface strings, which unfold does not translate. The first listed wins.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_unfold"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True


def _may_open(request: Any, label: str) -> bool:
    from common.admin_helpers import admin_may_open  # apps are loaded when a page asks

    return admin_may_open(request, label)


def _admin_list(title: Any, icon: str, label: str, page: str = "changelist") -> dict[str, Any]:
    """A sidebar link to a model's admin list (or another page of its admin, ``page``),
    shown only to users who may open the list."""
    app_label, model = label.split(".")
    return {
        "title": title,
        "icon": icon,
        "link": reverse_lazy(f"admin:{app_label}_{model.lower()}_{page}"),
        "permission": partial(_may_open, label=label),
    }


# The sidebar's groups after the workbench, by the work: links to admin lists as
# (title, Material Symbols icon, model).
_SIDEBAR_GROUPS = [
    (
        _("Agreements"),
        [
            (_("Agreements"), "handshake", "contracts.Agreement"),
            (_("Obligations"), "task_alt", "obligations.Obligation"),
            (_("Breach notices"), "gavel", "obligations.BreachNotice"),
            (_("Products"), "inventory_2", "contracts.Product"),
            (_("Brands and organizations"), "apartment", "accounts.Organization"),
        ],
    ),
    (
        _("Sales and KPIs"),
        [
            (_("Sale lines"), "receipt_long", "kpis.SaleLine"),
            (_("Sales imports"), "upload_file", "kpis.SalesImport"),
            (_("Monthly KPI records"), "monitoring", "kpis.KpiRecord"),
            (_("Approved promotions"), "sell", "kpis.Promotion"),
        ],
    ),
    (
        _("Settlements"),
        [
            (_("Statements"), "request_quote", "settlements.Statement"),
            (_("Invoices"), "receipt", "settlements.Invoice"),
            (_("Month-end runs"), "event_repeat", "settlements.StatementRun"),
            (_("Daily runs"), "schedule", "settlements.DailyRun"),
            (_("Approved expenses"), "payments", "settlements.Expense"),
            (_("Penalty waivers"), "money_off", "settlements.PenaltyWaiver"),
            (_("Bank transactions"), "account_balance", "banking.BankTransaction"),
            (
                _("Receivables"),
                "account_balance_wallet",
                "receivables.BalanceConfirmation",
                "receivables",
            ),
            (_("Balance confirmations"), "fact_check", "receivables.BalanceConfirmation"),
        ],
    ),
    (
        _("System"),
        [
            (_("Events"), "history", "core.Event"),
            (_("Calendar overrides"), "calendar_month", "core.Holiday"),
            (_("Users"), "group", "accounts.User"),
            (_("API tokens"), "key", "accounts.ApiToken"),
            (_("Webhooks"), "webhook", "integrations.WebhookSubscription"),
        ],
    ),
]

# The staff admin (django-unfold): its names in the reader's language, and a sidebar by
# the work rather than by app. Icons are Material Symbols, served with unfold's fonts.
UNFOLD = {
    "SITE_TITLE": _("Agency settlements"),
    "SITE_HEADER": _("Agency settlements"),
    "SITE_SYMBOL": "account_balance",
    "SITE_URL": "/",
    # No favicon file, as in the portal: the browser asks for nothing (not /favicon.ico).
    "SITE_FAVICONS": [{"rel": "icon", "href": "data:,"}],
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    # The home page is the agency's workbench (settlements/admin/workbench.py).
    "DASHBOARD_CALLBACK": "settlements.admin.workbench.dashboard",
    # Our pages' tables in unfold's colours (static/css/admin.css): served locally too.
    "STYLES": [lambda request: static("css/admin.css")],
    "SIDEBAR": {
        "show_search": False,
        # Superusers also reach the installation's own tables (groups, schedules, lockouts).
        "show_all_applications": lambda request: request.user.is_superuser,
        "navigation": [
            {
                "title": _("Workbench"),
                "items": [
                    {
                        "title": _("Workbench home"),
                        "icon": "space_dashboard",
                        "link": reverse_lazy("admin:index"),
                    },
                ],
            },
            *(
                {"title": title, "separator": True, "items": [_admin_list(*each) for each in items]}
                for title, items in _SIDEBAR_GROUPS
            ),
        ],
    },
}


STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="settlements@localhost")
# Where brand users reach the client portal: the base of the links in e-mails.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Where staff reach the admin: the base of the links in webhook robot messages.
ADMIN_BASE_URL = env("ADMIN_BASE_URL", default=PORTAL_BASE_URL)
# Webhooks are never posted to private, loopback, link-local or reserved addresses (SSRF);
# local and test settings let loopback through (integrations.security).
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)

# Celery: without a broker, tasks run in-process so a laptop needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")


def _cache_url_beside(broker_url: str) -> str:
    """The broker's Redis, one database over (0↔1, 14↔15): clearing the cache (the tests
    do, before each) never touches the broker's queues."""
    parts = urlsplit(broker_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db ^ 1}"))


# The cache holds the API's throttle counts and the password-reset counts: shared by every
# web worker through Redis when there is one (DJANGO_CACHE_URL, else beside the broker),
# in-process memory otherwise (one process: scripts/run).
CACHE_URL = env(
    "DJANGO_CACHE_URL",
    default=_cache_url_beside(CELERY_BROKER_URL)
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else "",
)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "daiyunying",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has a time limit (the import, the daily job and run items set larger ones:
# 30 minutes, kpis.tasks.IMPORT_LIMITS / settlements.tasks.LONG). With late acks, Redis
# hands an unacknowledged task to another worker after the visibility timeout, so it must
# be longer than the longest task may run, or a slow task would run twice at once.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 1800 + 300}
# A broker that is down answers fast: publishing gives up after a few tries (the task's
# delay logs it, and the sweeper queues the work again).
CELERY_BROKER_CONNECTION_TIMEOUT = 4
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The periodic schedule lives in code; beat copies it into its database tables.
# Without a broker, ``manage.py serve`` (scripts/run) runs the same schedule in-process
# (common.scheduler); EMBEDDED_SCHEDULER=false turns that off.
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_BEAT_SCHEDULE = {
    # Shortly after midnight (Asia/Shanghai), so every page shows the day's state early.
    "daily-settlement-checks": {
        "task": "settlements.tasks.daily_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "month-end-run": {
        "task": "settlements.tasks.month_end_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Queue again what a broker outage or a killed worker left stranded (PDFs, e-mails,
    # run items, imports): settlements.services.sweeper.
    "sweep-stranded-work": {
        "task": "settlements.tasks.sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # Balance confirmations whose PDF a broker outage left unrendered (receivables.tasks).
    "sweep-balance-confirmation-pdfs": {
        "task": "receivables.tasks.balance_confirmation_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # Webhook tries that are due (backoff) or whose task was lost: integrations.services.
    "webhook-deliveries": {
        "task": "integrations.tasks.webhook_dispatch_task",
        "schedule": crontab(minute="*"),
    },
}
# The sweeper queues work again once it is this old; it gives up (marks failed) after
# SWEEP_GIVE_UP_HOURS. /healthz answers 503 once anything stays stranded HEALTHZ_STRANDED_MINUTES.
SWEEP_AFTER_MINUTES = env.int("SWEEP_AFTER_MINUTES", default=10)
SWEEP_GIVE_UP_HOURS = env.int("SWEEP_GIVE_UP_HOURS", default=6)
HEALTHZ_STRANDED_MINUTES = env.int("HEALTHZ_STRANDED_MINUTES", default=30)
HEALTHZ_STRANDED = "settlements.services.sweeper.stranded"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PERMISSION_CLASSES": ["common.api.permissions.StaffWritesOthersRead"],
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    # JSON with a size, nesting and text check (common/api/parsers.py); forms as DRF's.
    "DEFAULT_PARSER_CLASSES": [
        "common.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "common.api.throttling.SharedAnonRateThrottle",
        "common.api.throttling.SharedUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="3000/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}

# The largest request body (files of a multipart upload aside): larger is 413 on /api/.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

SPECTACULAR_SETTINGS = {
    # The title names the package client generators make ("agency_settlements_api_client"),
    # so it stays ASCII; common/api/schema.py explains the generator and hooks.
    "TITLE": "Agency Settlements API",
    "DESCRIPTION": (
        "The integration API of 代运营结算 (agency settlements): agreements, sales and KPIs, "
        "month-end runs, statements, payments and penalties. JSON in and out; money as "
        'strings with two decimals ("2793.00"), dates YYYY-MM-DD, periods YYYY-MM, time '
        "zone Asia/Shanghai. Authenticate with `Authorization: Token <key>`. Lists are "
        "paginated (`page`, `page_size`). An object outside your scope answers 404. "
        'Errors: 400 `{"field": ["message"]}`, every other error `{"detail": "..."}`. '
        "POSTs that create something take an `Idempotency-Key` header. Webhooks, their "
        "signatures and the 企业微信 / 钉钉 robots: the integration guide at "
        "[/api/guide/](/api/guide/)."
    ),
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The contract is public; every operation in it still needs a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind": statements keep the name they always had.
    "ENUM_NAME_OVERRIDES": {
        "StatementKindEnum": "settlements.models.Statement.Kind",
        "InvoiceKindEnum": "settlements.models.Invoice.Kind",
        # agency / brand: who sends a breach notice, owes an obligation, asks an approval.
        "SideEnum": "obligations.models.Side",
        "ObligationKindEnum": "obligations.models.ObligationKind",
    },
    # Tags and operation ids start after /api/v1/: "statements", "statements_list".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # English whatever the request's language, JSON bodies, documented errors.
    "DEFAULT_GENERATOR_CLASS": "common.api.schema.EnglishSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.schema.json_request_bodies",
        "common.api.schema.error_responses",
        "common.api.schema.request_component_names",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO: seven lines a PDF.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
