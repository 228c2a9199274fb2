"""Settings for the Responsible-AI impact assessment tool.

One module, driven by environment variables (django-environ). The embedded
default needs no services: SQLite and an embedded Celery broker (a folder). ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis.

Two profiles, chosen by ``DJANGO_DEBUG``: on (``make run``, the tests) is local
development; off is production, which refuses a published ``SECRET_KEY`` and
defaults to HTTPS only (HSTS, SSL redirect, secure cookies). Every production
default can be changed from the environment; ``.env.production.example`` lists
them and ``manage.py check --deploy`` passes on it without a warning.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Keys anyone can read in this repository: the development default and the example's placeholder.
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-change-me"
EXAMPLE_SECRET_KEY = "replace-me-with-50-or-more-random-characters-from-your-secret-store"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY.strip() in ("", DEVELOPMENT_SECRET_KEY, EXAMPLE_SECRET_KEY)):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set to a secret of this deployment, and DJANGO_DEBUG is off. Set the environment "
        "variable SECRET_KEY to 50 or more random characters (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set DJANGO_DEBUG=true for local use."
    )
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
    "django_filters",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "accounts",
    "assessments",
    "committee",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before WhiteNoise, so static files carry the security headers too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Logs out sessions idle for SESSION_IDLE_SECONDS (after the user and messages are known).
    "accounts.idle.IdleSessionMiddleware",
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
# dumpdata/loaddata's "json" keeps times to the microsecond and names content types and permissions by
# natural key, so a move between databases keeps every hash and signature (README: "Backups, restores...").
SERIALIZATION_MODULES = {"json": "config.serialization"}

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    # Single sign-on (OIDC_* below): authenticates only the identity provider's callback; inert when unconfigured.
    "accounts.sso_backend.SingleSignOnBackend",
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
# A session left idle this long is logged out (accounts/idle.py); activity is noted at most once a minute.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)

# -- Single sign-on: OpenID Connect (accounts/sso_backend.py; README "Single sign-on (production)") --------
# Off unless OIDC_DISCOVERY_URL and OIDC_CLIENT_ID are set: then only local accounts log in.
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="")  # the issuer, or its discovery document
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile groups")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# "<claim value>=<role or team:slug>", comma-separated, e.g. "legal-reviewers=legal,team-triage=team:triage".
OIDC_ROLE_MAP = env.str("OIDC_ROLE_MAP", default="")
OIDC_DISABLE_LOCAL_PASSWORDS = env.bool("OIDC_DISABLE_LOCAL_PASSWORDS", default=True)
OIDC_DISCOVERY_CACHE_SECONDS = env.int("OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_VERIFY_SSL = env.bool("OIDC_VERIFY_SSL", default=True)
OIDC_USE_PKCE = True
# Signing without a local password (accounts/sso_reauth.py): the provider is asked for a fresh login
# (prompt=login, max_age=OIDC_REAUTH_MAX_AGE) and its ID token's auth_time must be at most this many seconds old.
OIDC_REAUTH_MAX_AGE = env.int("OIDC_REAUTH_MAX_AGE", default=60)
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

# -- HTTPS, cookies and security headers --------------------------------------------------------
# Production (DEBUG off) defaults to HTTPS only; each default can be changed from the environment.
PRODUCTION = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
# Behind a TLS-terminating proxy: the header it sets, e.g. "HTTP_X_FORWARDED_PROTO,https". Only set it when
# the proxy always sets or strips that header, or clients could claim HTTPS.
SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER", default=[])) or None
if SECURE_PROXY_SSL_HEADER is not None and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured(
        'SECURE_PROXY_SSL_HEADER must be a header and a value, e.g. "HTTP_X_FORWARDED_PROTO,https".'
    )
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
# A working day; reviewers sign off with their identity, so sessions do not live for weeks.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# A signing act (approve, request changes, reject) in the browser asks for the password again when the session's
# last log-in or re-authentication is older than this (accounts/reauth.py); an account without a local password
# confirms through the identity provider instead (accounts/sso_reauth.py).
SIGNING_REAUTH_SECONDS = env.int("SIGNING_REAUTH_SECONDS", default=300)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only this site's own files; no inline script or style, no eval.
# The htmx config in base.html turns off its inline indicator styles and eval for the same reason.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page here uses are turned off (django-permissions-policy); passkeys (accounts/passkeys.py)
# are created and used by this site's own pages only.
UNUSED_BROWSER_FEATURES = """accelerometer autoplay camera display-capture encrypted-media fullscreen geolocation
    gyroscope magnetometer microphone midi payment screen-wake-lock usb xr-spatial-tracking""".split()  # noqa: SIM905
PERMISSIONS_POLICY = {feature: [] for feature in UNUSED_BROWSER_FEATURES}
PERMISSIONS_POLICY.update({"publickey-credentials-create": ["self"], "publickey-credentials-get": ["self"]})

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    # e.g. smtp+tls://user:password@smtp.example.org:587 sets the SMTP backend, host, port, user and TLS.
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="responsible-ai@localhost")

# Throttle counters, log-in limits, lockouts and the register's copy live in the cache, which every web process
# must share: CACHE_URL names it (redis://host:6379/1, or dbcache://raia_cache after `createcachetable`).
# Without it the production profile uses the Redis of REDIS_URL; the development profile (make run, the tests)
# keeps them in process memory. `manage.py check` refuses a per-process cache in production (assessments.checks).
SHARED_CACHE_DEFAULT = env.str("REDIS_URL", default="") if PRODUCTION else ""
CACHES = {"default": env.cache("CACHE_URL", default=SHARED_CACHE_DEFAULT or "locmemcache://")}

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
# (A delegation past its end stops acting at once, as the rule reads the clock; its sweep records the expiry.)
OUTBOX_REDRIVE_SECONDS = env.int("OUTBOX_REDRIVE_SECONDS", default=60)
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=60)
REASSESSMENT_SWEEP_SECONDS = env.int("REASSESSMENT_SWEEP_SECONDS", default=900)
DIGEST_SWEEP_SECONDS = env.int("DIGEST_SWEEP_SECONDS", default=600)
DELEGATION_EXPIRY_SECONDS = env.int("DELEGATION_EXPIRY_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "outbox-redrive": {"task": "committee.tasks.outbox_redrive", "schedule": OUTBOX_REDRIVE_SECONDS},
    "reminders-sweep": {"task": "committee.tasks.reminders_sweep", "schedule": REMINDER_SWEEP_SECONDS},
    "reassessments-sweep": {"task": "committee.tasks.reassessments_sweep", "schedule": REASSESSMENT_SWEEP_SECONDS},
    "digests-sweep": {"task": "committee.tasks.digests_sweep", "schedule": DIGEST_SWEEP_SECONDS},
    "delegations-expire": {"task": "committee.tasks.delegations_expire", "schedule": DELEGATION_EXPIRY_SECONDS},
    # The stored reminder schedules follow the reminder settings below: a changed one applies within a day.
    "reminders-reschedule": {"task": "committee.tasks.reminders_reschedule", "schedule": 24 * 3600},
}
# Beat also runs these once as it starts, so that a fresh start (make run) does not wait a whole interval.
CELERY_BEAT_AT_START = ["committee.tasks.reminders_sweep", "committee.tasks.outbox_redrive"]

# Lists, the queue and the pipeline count at most this many rows, then show "1,000+": a page costs the same
# however large the archive grows (assessments/paging.py).
LIST_COUNT_CAP = 1000
# A reviewer's queue counts to this many, then says "100+" (one visibility probe per row: its cost is the cap's).
# Past a hundred waiting, the number is a backlog to raise with the chair (who counts to LIST_COUNT_CAP).
QUEUE_COUNT_CAP = 100

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
# Who publishes the transparency register, as the public standards' exports name it (ATRS organisation_name,
# Algoritmeregister organization, fewer than 100 characters), and the ATRS region of the public it serves.
REGISTER_ORGANISATION = env.str("REGISTER_ORGANISATION", default="Demo tele-health provider")
REGISTER_REGION = env.str("REGISTER_REGION", default="UK-wide")

# The questionnaire new assessments answer (assessments/questionnaires/<version>.yaml).
QUESTIONNAIRE_VERSION = env.str("QUESTIONNAIRE_VERSION", default="v2")

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
# Bias evidence (assessments/bias.py, bias_upload.py): days Data/AI has to record a mitigation for a flag a
# monitoring result raised before the feature is re-assessed; the size and row limits of a CSV upload.
BIAS_MITIGATION_DAYS = env.int("BIAS_MITIGATION_DAYS", default=14)
BIAS_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
BIAS_UPLOAD_MAX_PREDICTION_ROWS = 200_000
# The largest file the team may give as evidence that a condition is met (assessments/evidence_files.py).
EVIDENCE_FILE_MAX_BYTES = 10 * 1024 * 1024

# Highest Flesch-Kincaid grade a plain-language disclosure may have.
DISCLOSURE_MAX_GRADE = 8

# The number of proxies in front of the app that append to X-Forwarded-For (0: clients connect directly).
# The client's address is the one the outermost trusted proxy saw; django-axes, the API throttles and the
# login form's address limit all read it from accounts.network.client_address.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Login lockout (django-axes): 5 failures per username and address lock for an hour, so that someone
# elsewhere cannot lock a user out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_address"
# And per address across usernames: this many failed log-ins from one address (an IPv6 /64) in a window of
# LOGIN_ADDRESS_WINDOW seconds refuse further log-ins from it until the window ends. None turns it off.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_WINDOW = env.int("LOGIN_ADDRESS_WINDOW", default=15 * 60)

# A second factor (accounts/mfa.py): roles that must enrol one (comma-separated, e.g. "legal,security"); empty, the
# embedded default and the demo sign in with a password alone. API tokens (accounts/tokens.py) last API_TOKEN_TTL.
MFA_REQUIRED_FOR = env.list("MFA_REQUIRED_FOR", default=[])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Responsible AI assessments")
# Passkeys (WebAuthn; accounts/passkeys.py), a second factor after the password, never a sign-in alone. RP ID: the
# site's domain (passkeys are bound to it: changing it orphans them); origins: where the pages are served from. The
# defaults fit `make run` at http://localhost:8000 (browsers refuse passkeys on a bare IP address).
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_RP_NAME = env.str("OTP_WEBAUTHN_RP_NAME", default=OTP_TOTP_ISSUER)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", default=["http://localhost:8000"])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=30 * 24 * 3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # The project's throttles read the client address from accounts.network; this keeps DRF's own in step.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Responsible-AI impact assessment API",
    "DESCRIPTION": (
        "Submit AI features for Responsible AI Committee review and follow their sign-off.\n\n"
        "The schema states each field's JSON type, bounds, nullability and pattern as the server checks them, and "
        "refuses unknown fields and query parameters as the server does. It cannot state rules that depend on "
        "stored data; a well-formed request can still be refused by them, and each is named in the description "
        "of its field or operation: a list `cursor` the server did not write (400), a `team` you are not a member "
        "of (400), a bias justification's `dimension` outside those the approval requires (400), a condition's "
        "`owner` outside the team or `due_date` in the past (400), a wrong username or password (400), and the "
        "state and guards of the workflow (403, 409)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links make each operation's path a link inside its expand button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Non-blank text fields of requests say minLength 1, as the server checks.
    "ENFORCE_NON_BLANK_FIELDS": True,
    # Bias evidence: approval or monitoring (assessments.models.EvidenceKind).
    "ENUM_NAME_OVERRIDES": {
        "EvidenceKindEnum": "assessments.models.EvidenceKind.choices",
        # A sign-off's decision and its manifestation's meaning are one choice set.
        "DecisionEnum": "assessments.api.serializers.assessments.DECISION_CHOICES",
        "ConditionStatusEnum": "assessments.api.conditions.CONDITION_STATUS_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "assessments.api.schema.postprocess_schema",
    ],
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
# New renders of draft dossiers per person per minute (an unchanged draft is served from the cache); 0: no limit.
DOSSIER_DRAFT_RENDER_RATE = env.int("DOSSIER_DRAFT_RENDER_RATE", default=10)
# Anyone may verify a dossier, without an account: this many checks per client address (page and API together).
DOSSIER_VERIFY_RATE = env.str("DOSSIER_VERIFY_RATE", default="20/min") or None
# Certificates the organisation signed dossiers with before (comma-separated PEM files): dossiers signed with
# them still verify after DOSSIER_SIGNING_CERT changes. A certificate listed nowhere is not trusted.
DOSSIER_TRUSTED_CERTS = env.list("DOSSIER_TRUSTED_CERTS", default=[])
# An RFC 3161 time-stamping authority: when set, every dossier signature carries its timestamp, and the
# validation data (certificates, revocation information where available) is embedded (PAdES B-LT).
# DOSSIER_TSA_CERTS: the authority's root certificates that verifiers trust (comma-separated PEM files).
DOSSIER_TSA_URL = env.str("DOSSIER_TSA_URL", default="")
DOSSIER_TSA_CERTS = env.list("DOSSIER_TSA_CERTS", default=[])
# WeasyPrint reports each rendering step at INFO; only its warnings matter here.
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}
