"""Settings for the Responsible-AI impact assessment tool.

One module, driven by environment variables (django-environ). The embedded
default needs no services: SQLite and an embedded Celery broker (a folder). ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The embedded default is for local use; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "assessments",
    "committee",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers queue instead of failing with "database is locked": every transaction takes the
    # write lock when it begins (IMMEDIATE), readers never block writers (WAL), and a writer waits up to
    # 20 seconds for its turn. Two simultaneous approvals then get the same 200/409 answers as on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user is not used: anonymous visitors see only public pages.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production collects static files into STATIC_ROOT; the embedded default serves them from the apps.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="responsible-ai@localhost")

# Throttle counters and lockouts live in the cache: production sets CACHE_URL (e.g. Redis) so that
# every web process shares them; the embedded default keeps them in process memory.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# -- Celery: notices, reminders and sweeps (committee/tasks.py; DESIGN section 6) --------------------------
# With REDIS_URL, workers and exactly one beat run on Redis. Without it, the embedded default: kombu's
# filesystem transport, a folder that the web process, the worker and beat share (make run starts all three).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / "var" / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task not acknowledged within this time is delivered again (acks_late tasks are idempotent);
        # every countdown we schedule (email retries) stays well below it.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_connect_timeout": 3,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "polling_interval": 0.2,  # a folder poll is cheap; a new task starts within 0.2 s
    }
# Tests run tasks in-process (tests/conftest.py); a real worker runs them everywhere else.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge on receipt by default; the idempotent tasks (all of committee/tasks.py) set acks_late themselves.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task running when the broker connection drops finishes its work (it cannot be acknowledged, so the
# message comes again, and the outbox claim makes that second run a no-op) rather than being cut off mid-send.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# A broker outage must not hold up the request that caused a notice: publish fails fast, the outbox keeps the
# notice, and the re-drive sends it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_BROKER_DIR / "beat-schedule")

# How often each periodic task runs, in seconds. Sweeps are idempotent: running one early or twice sends nothing new.
OUTBOX_REDRIVE_SECONDS = env.int("OUTBOX_REDRIVE_SECONDS", default=60)
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=60)
REASSESSMENT_SWEEP_SECONDS = env.int("REASSESSMENT_SWEEP_SECONDS", default=900)
DIGEST_SWEEP_SECONDS = env.int("DIGEST_SWEEP_SECONDS", default=600)
CELERY_BEAT_SCHEDULE = {
    "outbox-redrive": {"task": "committee.tasks.outbox_redrive", "schedule": OUTBOX_REDRIVE_SECONDS},
    "reminders-sweep": {"task": "committee.tasks.reminders_sweep", "schedule": REMINDER_SWEEP_SECONDS},
    "reassessments-sweep": {"task": "committee.tasks.reassessments_sweep", "schedule": REASSESSMENT_SWEEP_SECONDS},
    "digests-sweep": {"task": "committee.tasks.digests_sweep", "schedule": DIGEST_SWEEP_SECONDS},
}
# Beat also runs these once as it starts, so that a fresh start (make run) does not wait a whole interval.
CELERY_BEAT_AT_START = ["committee.tasks.reminders_sweep", "committee.tasks.outbox_redrive"]

# Reminder rules (committee/sweeps.py).
STAGE_REMINDER_EVERY_HOURS = 24  # an overdue stage's reviewers are reminded at most this often
STAGE_ESCALATION_AFTER_DAYS = env.int("STAGE_ESCALATION_AFTER_DAYS", default=3)  # then the chair is told
CONDITION_REMINDER_DAYS_BEFORE = env.int("CONDITION_REMINDER_DAYS_BEFORE", default=7)
CONDITION_OVERDUE_EVERY_DAYS = 7
REREVIEW_NOTICE_DAYS_BEFORE = env.int("REREVIEW_NOTICE_DAYS_BEFORE", default=30)
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)  # local time of the daily digest
CHAIR_DIGEST_WEEKDAY = env.int("CHAIR_DIGEST_WEEKDAY", default=0)  # Monday
CHAIR_DIGEST_HOUR = env.int("CHAIR_DIGEST_HOUR", default=7)
# Email delivery (committee/outbox.py): attempts before giving up, the first retry's delay (doubling after),
# how long a claim lasts (longer than the task time limit), and how old an unsent email is before the re-drive
# sends it (the transaction's own task normally has by then).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_CLAIM_SECONDS = 300
OUTBOX_REDRIVE_GRACE_SECONDS = env.int("OUTBOX_REDRIVE_GRACE_SECONDS", default=30)
# Links in emails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The questionnaire new assessments answer (assessments/questionnaires/<version>.yaml).
QUESTIONNAIRE_VERSION = env.str("QUESTIONNAIRE_VERSION", default="v1")

# The audit log's Ed25519 signing key: a path to a PEM file, or the PEM text. It must live outside the
# database (a secret store, a mounted file). `make run` creates a demo key in .local/ on first use, which is
# the default when it exists. AUDIT_PUBLIC_KEYS names a file of published public keys (PEM) that the verifier
# trusts besides the signing key's own, e.g. the keys used before a rotation.
DEMO_AUDIT_SIGNING_KEY = BASE_DIR / ".local" / "audit-signing-key.pem"
AUDIT_SIGNING_KEY = env.str(
    "AUDIT_SIGNING_KEY",
    default=str(DEMO_AUDIT_SIGNING_KEY) if DEMO_AUDIT_SIGNING_KEY.exists() else "",
    multiline=True,
)
AUDIT_PUBLIC_KEYS = env.str("AUDIT_PUBLIC_KEYS", default="")

# Review deadline per stage, in days, by risk level; re-review interval by risk level.
REVIEW_DEADLINE_DAYS = {1: 10, 2: 7, 3: 5, 4: 3}
REREVIEW_INTERVAL_DAYS = {
    1: env.int("REREVIEW_DAYS_LEVEL_1", default=365),
    2: env.int("REREVIEW_DAYS_LEVEL_2", default=365),
    3: env.int("REREVIEW_DAYS_LEVEL_3", default=180),
    4: env.int("REREVIEW_DAYS_LEVEL_4", default=90),
}
# Highest Flesch-Kincaid grade a plain-language disclosure may have.
DISCLOSURE_MAX_GRADE = 8

# Login lockout (django-axes): 5 failures per username and address lock for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Behind a load balancer, the number of proxies in front of the app, so throttles see client addresses.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Responsible-AI impact assessment API",
    "DESCRIPTION": "Submit AI features for Responsible AI Committee review and follow their sign-off.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# -- dossiers (reports/) -------------------------------------------------------------------------
# Frozen dossiers are stored through Django's storage API under the "dossiers" alias: the local media
# folder by default; object storage by naming a django-storages backend and its options, e.g.
# DOSSIER_STORAGE_BACKEND=storages.backends.s3.S3Storage DOSSIER_STORAGE_OPTIONS='{"bucket_name": "..."}'.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "dossiers": {
        "BACKEND": env.str("DOSSIER_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("DOSSIER_STORAGE_OPTIONS", default={"location": str(Path(str(MEDIA_ROOT)) / "dossiers")}),
    },
}
# The organisation's PAdES signing key and certificate (PEM files). `make run` makes a self-signed demo pair.
DOSSIER_SIGNING_KEY = env.str("DOSSIER_SIGNING_KEY", default="")
DOSSIER_SIGNING_CERT = env.str("DOSSIER_SIGNING_CERT", default="")
DOSSIER_SIGNING_KEY_PASSPHRASE = env.str("DOSSIER_SIGNING_KEY_PASSPHRASE", default="")
# Who issues dossiers, as printed on them and in their metadata.
DOSSIER_ISSUER = env.str("DOSSIER_ISSUER", default="Responsible AI Committee")
# The largest PDF the verify page and endpoint accept.
DOSSIER_VERIFY_MAX_BYTES = env.int("DOSSIER_VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
# WeasyPrint reports each rendering step at INFO; only its warnings matter here.
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}
