"""Rapport settings: one module, configured by the environment (see .env.example).

Development defaults are safe and need no server: SQLite under var/ and Celery's
filesystem transport under var/. Production (DEBUG=False) refuses to start without
SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import django
import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment wins

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    try:
        SECRET_KEY = env("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:  # fail loudly rather than run insecurely
        raise ImproperlyConfigured(f"Production (DEBUG=False) needs this variable: {exc}") from exc

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs' Swagger UI, served from our static files (no CDN)
    "django_htmx",
    "simple_history",
    "crm.axes_app.AxesConfig",  # django-axes, named in the reader's language
    "health_check",  # /healthz, /readyz and `manage.py health_check` (crm/health.py)
    "dbbackup",  # `manage.py backup` / `restore` (crm/backup.py)
    "crm",
    "partners",
    "partners.suppliers",
    "partners.customers",
    "partners.cases",
    "partners.partnerships",
    "partners.associations",
    "partners.agreements",
    "partners.projects",
    "evaluations",
    "evaluations.surveys",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.RejectNulBytesMiddleware",
    "crm.middleware.SignedInSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A form rendered with {% form_token %} is carried out once, however often it is posted.
    "crm.middleware.OneSubmissionMiddleware",
    # Last, so it turns the login view's refusal into the lockout page (see "Sign-in").
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "django.template.context_processors.i18n",
                "crm.context_processors.roles",
            ],
            "builtins": ["crm.templatetags.people", "crm.templatetags.submit", "crm.templatetags.numbers"],
        },
    },
]

# --- Database -------------------------------------------------------------------
# DATABASE_URL=postgres://user:pass@host:5432/name in production; SQLite by default.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rapport.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
            # instead of failing with "database is locked" half-way through.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT off (issue #15): Rapport's queries are short OLTP reads; at 100,000 partners the JIT
    # compiled the list's search queries for 360–540 ms each, ten times what they then ran.
    # POSTGRES_JIT=on gives it back, for reporting databases.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        jit = "on" if env.bool("POSTGRES_JIT", default=False) else "off"
        options = DATABASES["default"].setdefault("OPTIONS", {})
        # Random reads priced as the server's default prices them (4× a sequential read) suit a
        # disk that seeks; Rapport's tables and indexes are read from memory or SSD, where that
        # made the planner read 100,000 partners to join the 3,300 a search had found (30 ms,
        # 9 ms at 1.1, the usual setting for SSD). POSTGRES_RANDOM_PAGE_COST sets it.
        cost = env.float("POSTGRES_RANDOM_PAGE_COST", default=1.1)
        options["options"] = f"{options.get('options', '')} -c jit={jit} -c random_page_cost={cost}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# AxesStandaloneBackend only refuses locked-out sign-ins; ModelBackend signs in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the profile loaded in the same query (crm/backends.py).
    "crm.backends.ProfileBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in: lockout, login log, idle timeout ------------------------------------------
# django-axes with its database handler: attempts live in the database (the same one for
# every process, so no cache is needed for correctness), and the admin lists them with a
# delete action that unlocks. A lockout is per user name AND address, so a guesser cannot
# lock a colleague out from elsewhere; RAPPORT_LOGIN_LOCKOUT_BY_USER adds a lockout per
# user name alone (stops guessing from many addresses, at the price of letting anyone
# lock an account for the cool-off).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("RAPPORT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("RAPPORT_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
if env.bool("RAPPORT_LOGIN_LOCKOUT_BY_USER", default=False):
    AXES_LOCKOUT_PARAMETERS.append("username")
# The lockout runs from the failure that triggered it: tries during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a successful sign-in forgets earlier typos
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the login log: AccessLog (success) + AccessFailureLog
AXES_LOCKOUT_CALLABLE = "crm.views.login_locked_out"
AXES_CLIENT_STR_CALLABLE = "crm.logs.axes_client_str"  # log user ids, not names or addresses
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # crm.admin registers read-only versions of its admin pages
# The client address (lockouts and the public pages' rate limits): REMOTE_ADDR, or with N
# trusted reverse proxies in front, the address the outermost of them saw: the N-th entry
# from the right of X-Forwarded-For. Entries left of it are whatever the client sent, so
# they are never read. One helper, crm.public.client_address, serves both (django-ipware's
# proxy count expects the first proxy's own address in the header and gives no address
# at all for a plain nginx in front).
RAPPORT_TRUSTED_PROXIES = env.int("RAPPORT_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "crm.public.login_client_address"
# Idle timeout: a session unused this long ends. Sliding: crm.middleware refreshes the
# expiry at most once per RAPPORT_SESSION_REFRESH_SECONDS (one write every few minutes
# per user rather than SESSION_SAVE_EVERY_REQUEST's write on every request).
SESSION_COOKIE_AGE = env.int("RAPPORT_SESSION_IDLE_SECONDS", default=8 * 3600)
RAPPORT_SESSION_REFRESH_SECONDS = min(300, SESSION_COOKIE_AGE // 10)

# --- Cache -------------------------------------------------------------------------------
# Shared by every process on the machine (rate limits of the public pages): files under
# var/cache by default, no server needed; CACHE_URL=redis://host:6379/1 in production.
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    # Culling deletes a third of the entries at random once past MAX_ENTRIES (300 by
    # default): keep it well above the number of live rate-limit counters.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10000)
# What is kept is read from one database: a second Rapport on the same cache (a bench, a
# staging copy) must not read it. CACHE_KEY_PREFIX sets the prefix; by default, the database's.
CACHES["default"]["KEY_PREFIX"] = env(
    "CACHE_KEY_PREFIX", default=hashlib.sha1(str(DATABASES["default"].get("NAME")).encode()).hexdigest()[:8]
)

# --- Internationalisation ----------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# Django's own catalogue after ours and before the apps': REST framework's would otherwise
# reword Django's form messages on every page ("This field is required." and the like).
LOCALE_PATHS = [BASE_DIR / "locale", Path(django.__file__).parent / "conf" / "locale"]
# One date format per language for every page (crm/formats): tables use the SHORT_ ones.
FORMAT_MODULE_PATH = ["crm.formats"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing folder
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads (crm/uploads.py): an allow-list checked by extension and content, server-made names,
# a size limit applied while the body is read, downloads only through views that check access.
RAPPORT_UPLOAD_MAX_BYTES = env.int(
    "RAPPORT_UPLOAD_MAX_BYTES", default=env.int("QUALIFICATION_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
)
FILE_UPLOAD_HANDLERS = [
    "crm.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Behind nginx (X-Accel-Redirect) or Apache (X-Sendfile): the view checks access, then the
# proxy sends the file from RAPPORT_SENDFILE_PREFIX (an internal location over MEDIA_ROOT).
RAPPORT_SENDFILE_HEADER = env("RAPPORT_SENDFILE_HEADER", default="")
RAPPORT_SENDFILE_PREFIX = env("RAPPORT_SENDFILE_PREFIX", default="/protected-media/")

# --- Backups (crm/backup.py): `manage.py backup` writes the database and the uploaded files
# here, `manage.py restore` reads the newest (README "Backup and restore").
RAPPORT_BACKUP_DIR = Path(env("RAPPORT_BACKUP_DIR", default=str(VAR_DIR / "backups")))
STORAGES["dbbackup"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(RAPPORT_BACKUP_DIR)},
}
DBBACKUP_CLEANUP_KEEP = env.int("RAPPORT_BACKUP_KEEP", default=10)
DBBACKUP_SEND_EMAIL = False  # a failed backup exits non-zero; cron or the timer reports it
# SQLite is restored with SQLite's backup API, which is safe with WAL (the stock connector
# writes the file over the live database and its -wal file).
DBBACKUP_CONNECTOR_MAPPING = {"django.db.backends.sqlite3": "crm.backup.SqliteConnector"}

# --- Forms ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ---------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Rapport <rapport@localhost>")

# --- Celery ----------------------------------------------------------------------------
# Without CELERY_BROKER_URL the worker uses kombu's filesystem transport under var/ so
# `make run` needs no server; production sets redis://. The broker only carries ids.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "queue"
# The hard limit kills a task's process; every task finishes (or is killed) within it, which
# bounds the redelivery time, the stuck-email window and the stale-scan timeout below.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 120
# Room for clock skew between hosts and the time a killed task takes to be noticed.
RAPPORT_RECOVERY_MARGIN = 60
# A scan run still "running" after this many seconds was killed with its worker: the next
# scan run and the heartbeat mark it failed, and the operations page flags it.
RAPPORT_SCAN_STALE_AFTER = env.int("RAPPORT_SCAN_STALE_AFTER", default=CELERY_TASK_TIME_LIMIT + RAPPORT_RECOVERY_MARGIN)
# A broker that hangs (frozen, or a half-open connection after a failover) must not hang a
# request: every socket operation on it gives up after this many seconds, and a publish is
# tried once (CELERY_TASK_PUBLISH_RETRY_POLICY). The database row is the source of truth
# and the next scan enqueues it again, so giving up loses nothing.
RAPPORT_BROKER_TIMEOUT = env.float("RAPPORT_BROKER_TIMEOUT", default=1.0)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    # The filesystem transport has no fanout exchange: no remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task taken by a worker that died (SIGKILL, power loss) is delivered again after
        # this many seconds; tasks are idempotent, so a redelivery never doubles an effect.
        # It must exceed the longest task, or a task still running is delivered to a second
        # worker: the hard time limit bounds every task, plus a margin. Retry countdowns must
        # stay below it too (a task waiting for its ETA is held unacknowledged), see
        # tests/crm/test_recovery.py.
        "visibility_timeout": env.int(
            "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + RAPPORT_RECOVERY_MARGIN
        ),
        # How often workers sweep for such abandoned tasks (seconds × every Nth sweep).
        "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
        # A worker killed during a sweep leaves the sweep's lock behind: no worker sweeps
        # again until it expires (kombu's default is 300 s).
        "unacked_mutex_expire": env.int("CELERY_RESTORE_LOCK_EXPIRE", default=60),
        # Without these a frozen Redis blocks a publish (and the request) forever.
        "socket_timeout": RAPPORT_BROKER_TIMEOUT,
        "socket_connect_timeout": RAPPORT_BROKER_TIMEOUT,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When the broker is down, publishing gives up quickly: the database row is the source of
# truth and the next scan enqueues it again (a user's save never waits on the broker).
CELERY_BROKER_CONNECTION_TIMEOUT = RAPPORT_BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat records each tick of its loop (Heartbeat "beat_tick", read by /readyz) and wakes at
# least this often, so a live beat is never silent for long (crm/health.py).
CELERY_BEAT_SCHEDULER = "crm.celery:Scheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
# The one periodic schedule: each entry is a *scan* that finds due work in the database.
# Business cadences (evaluate quarterly, review every 6 months) live in data, not here.
# Beat also sends every entry once as soon as it starts (crm/celery.py), so an hourly scan
# does not wait an hour after a restart.
CELERY_BEAT_SCHEDULE = {
    # Every 5 minutes: record the time in the database (Heartbeat) as proof that beat, the
    # broker and a worker are all alive (the operations page shows its age), and mark scan
    # runs killed with their worker as failed.
    "heartbeat": {"task": "crm.tasks.heartbeat", "schedule": 300.0},
    # Every 10 minutes: follow-ups due today or overdue → notifications; after
    # RAPPORT_DIGEST_HOUR (local time) each owner's daily digest email.
    "scan-followups": {"task": "crm.tasks.run_scan", "schedule": 600.0, "args": ["followups"]},
    # Every hour: qualification documents expiring soon → owner and department managers.
    "scan-qualifications": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["qualifications"]},
    # Every hour: agreements entering their notice period or past their end, execution reviews
    # due, obligations due → status moves and notices, once each (P4.3.2).
    "scan-agreements": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["agreements"]},
    # Every hour: open the evaluations whose period has started (template cadence is data).
    "scan-evaluations-open": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["evaluations_open"]},
    # Every hour: remind evaluators before the due date / when overdue; escalate to managers.
    "scan-evaluations-remind": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["evaluations_remind"]},
    # Every hour: open corrective actions (any source) due within RAPPORT_ACTION_REMIND_DAYS
    # → a reminder to the owner; past due → an overdue notice; RAPPORT_ACTION_ESCALATE_DAYS
    # past due → the department's managers. Each once per action and due date.
    "scan-corrective-actions": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["corrective_actions"]},
    # Every hour: scorecard action plans whose re-evaluation date has come, the supplier not
    # re-evaluated since → the department's managers, once per plan and date.
    "scan-action-plans-due": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["action_plans_due"]},
    # Every hour: remind survey recipients who have not answered (max N, min days apart).
    "scan-surveys-remind": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["surveys_remind"]},
    # Every 5 minutes: cases past their response or resolution deadline → managers.
    "scan-cases-sla": {"task": "crm.tasks.run_scan", "schedule": 300.0, "args": ["cases_sla"]},
    # Every hour: birthdays, company anniversaries and holidays of key and important
    # customers within RAPPORT_GREETING_LEAD_DAYS → one greeting each (emailed to consenting
    # contacts, otherwise a follow-up for the owner). Occasions that already have their
    # greeting are skipped, so the hourly rerun enqueues nothing new, and an outage is caught
    # up within the hour.
    "scan-care-greetings": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["care_greetings"]},
    # Every 10 minutes: campaigns sent whose emails are not all queued yet (broker was down).
    "scan-campaigns": {"task": "crm.tasks.run_scan", "schedule": 600.0, "args": ["campaigns"]},
    # Every 2 minutes: send pending emails, retry those a dead worker left half-sent (their
    # claim is released after CELERY_TASK_TIME_LIMIT + RAPPORT_RECOVERY_MARGIN, so such an
    # email goes out again within about 5 minutes).
    "scan-emails": {"task": "crm.tasks.run_scan", "schedule": 120.0, "args": ["emails"]},
    # Every 10 minutes: import jobs whose task was lost (a broker restarted) or whose worker
    # was killed → their task again; each job runs once whatever arrives twice.
    "scan-imports": {"task": "crm.tasks.run_scan", "schedule": 600.0, "args": ["imports"]},
    # Every 5 minutes: annual-report generations left behind (broker down when requested,
    # worker killed while running) → enqueued again; each runs once (supervision/scans.py).
    "scan-annual-reports": {"task": "crm.tasks.run_scan", "schedule": 300.0, "args": ["annual_reports"]},
    # Every hour: memberships to renew and association position terms ending, each within its
    # own reminder days (P4.4.1) → the department's managers (and the holder), once per end date.
    "scan-association-terms": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["association_terms"]},
    # Every hour: readers with industry reports still unread (P4.4.3) → a digest, once per
    # reader per ISO week (the hourly rerun adds nothing; a missed day is caught up).
    "scan-industry-report-digest": {
        "task": "crm.tasks.run_scan",
        "schedule": 3600.0,
        "args": ["industry_report_digest"],
    },
    # Forget double-submit tokens older than a day (crm/middleware.py OneSubmissionMiddleware).
    "scan-form-submissions": {"task": "crm.tasks.run_scan", "schedule": 3600.0, "args": ["form_submissions"]},
}

# --- Rapport policy knobs ----------------------------------------------------------------
# Dashboard: "partners not contacted recently" means no interaction for this many days.
RAPPORT_STALE_CONTACT_DAYS = env.int("RAPPORT_STALE_CONTACT_DAYS", default=30)
RAPPORT_PAGE_SIZE = 50
# A list counts its rows up to this many; past it, "more than 1,000", and "Next" pages on
# (crm.lists.CappedPaginator). Counting 10,000 of 100,000 filtered partners took 9 ms.
RAPPORT_LIST_COUNT_CAP = env.int("RAPPORT_LIST_COUNT_CAP", default=1_000)
# A search counts its results up to this many: a term found that often is to be narrowed.
RAPPORT_SEARCH_COUNT_CAP = env.int("RAPPORT_SEARCH_COUNT_CAP", default=1_000)
# From this many partner names holding the term, the partner search tests each partner in the
# list's order rather than collecting every match first (partners.selectors.partner_search).
RAPPORT_SEARCH_MANY = env.int("RAPPORT_SEARCH_MANY", default=2_000)
# Absolute links in emails and the calendar feed: where people reach this server. `make run`
# sets it from PORT; without it a production server refuses to start (crm/links.py).
RAPPORT_BASE_URL = env("RAPPORT_BASE_URL", default="")
# Local hour from which the daily follow-up digest is sent.
RAPPORT_DIGEST_HOUR = env.int("RAPPORT_DIGEST_HOUR", default=7)
# Evaluations: remind evaluators this many days before the due date; escalate to the
# department's managers this many days after it.
RAPPORT_EVALUATION_REMIND_DAYS = env.int("RAPPORT_EVALUATION_REMIND_DAYS", default=7)
RAPPORT_EVALUATION_ESCALATE_DAYS = env.int("RAPPORT_EVALUATION_ESCALATE_DAYS", default=7)
# Corrective actions (any source): remind the owner this many days before the due date;
# escalate to the department's managers this many days after it (the owner is told the day
# after it).
RAPPORT_ACTION_REMIND_DAYS = env.int("RAPPORT_ACTION_REMIND_DAYS", default=7)
RAPPORT_ACTION_ESCALATE_DAYS = env.int("RAPPORT_ACTION_ESCALATE_DAYS", default=7)
# Warn this many days before a qualification document expires.
RAPPORT_QUALIFICATION_WARN_DAYS = env.int("RAPPORT_QUALIFICATION_WARN_DAYS", default=30)

# Customer care (P4.2.3): greetings are prepared this many days before the occasion.
RAPPORT_GREETING_LEAD_DAYS = env.int("RAPPORT_GREETING_LEAD_DAYS", default=3)
# Gifts (P3.1): a gift worth more than this (in CNY) needs a manager's approval; gifts in
# another currency always do (no exchange rate is kept).
RAPPORT_GIFT_APPROVAL_THRESHOLD = Decimal(env("RAPPORT_GIFT_APPROVAL_THRESHOLD", default="500"))

# --- Security (production) ----------------------------------------------------------------
# Probes (/healthz, /readyz) speak plain HTTP to gunicorn, and a redirect to https reads as
# "up" to a probe that does not follow it: the only exemption from the redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), on every response, debug or not: only our own origin's
# scripts, styles, images and fonts; no inline script, style or event handler anywhere (shared
# behaviour is in static/js/rapport.js, layout in static/css/rapport.css); no framing.
# "data:" images are Bootstrap's own icons in its stylesheet (form-select arrow, checkboxes).
# --- JSON API (crm/api.py, docs/api.md) ---------------------------------------------------
# Requests per token (per user for a browser session), counted in the shared cache.
RAPPORT_API_RATE = env("RAPPORT_API_RATE", default="120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm.api_auth.HasRole"],
    "DEFAULT_THROTTLE_CLASSES": ["crm.api_auth.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "crm.api_auth.ApiCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rapport API",
    "DESCRIPTION": "Partners, contacts, interactions, follow-ups and service cases. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["crm.api_auth.HasRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "crm.api.document_errors"],
    # One name per choice set where several models call a field "kind" or "status".
    "ENUM_NAME_OVERRIDES": {
        "PartnerKindEnum": "partners.models.PartnerKind",
        "PartnerStatusEnum": "partners.models.Status",
        "InteractionKindEnum": "partners.models.Interaction.Kind",
        "CaseKindEnum": "partners.cases.models.CaseKind",
        "CaseStatusEnum": "partners.cases.models.CaseStatus",
        "CaseNoteKindEnum": "partners.cases.models.CaseNote.Kind",
    },
}

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
    },
}
SESSION_COOKIE_HTTPONLY = True

# One line per event, key=value (crm.logs); Django's request records carry the status, path
# and user id, and a 4xx (a refused permission, a missing page) is logged without traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "crm.logs.RequestContextFilter"}},
    "formatters": {"keyvalue": {"()": "crm.logs.KeyValueFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "keyvalue", "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers (which print a second, unstructured copy under DEBUG).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # django-axes logs every attempt at INFO; lockouts and failures are WARNING.
        "axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")},
        # WeasyPrint (the annual report's PDF) logs each layout step at INFO; fontTools subsets fonts.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Imports (partners/importing/): the largest file and the most rows accepted, and the row
# count above which the preview and the import run in a Celery task with a progress bar.
RAPPORT_IMPORT_MAX_BYTES = env.int("RAPPORT_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
RAPPORT_IMPORT_MAX_ROWS = env.int("RAPPORT_IMPORT_MAX_ROWS", default=5000)
RAPPORT_IMPORT_ASYNC_ROWS = env.int("RAPPORT_IMPORT_ASYNC_ROWS", default=1000)
