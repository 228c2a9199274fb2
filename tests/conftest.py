from types import SimpleNamespace

import pytest
from django.db import connection

from accounts import roles
from assessments import signing

from .factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.2 s per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


AUDIT_TEST_KEY = signing.new_private_key_pem()


@pytest.fixture(autouse=True)
def audit_signing_key(settings):
    """Every test signs the audit log with one key made for this run (never a real one)."""
    settings.AUDIT_SIGNING_KEY = AUDIT_TEST_KEY
    settings.AUDIT_PUBLIC_KEYS = ""
    return AUDIT_TEST_KEY


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file (WAL, busy timeout) as the app runs, not in shared-cache memory: there a
    second thread's write (a Celery worker's, the live server's) fails at once with "table is locked"
    instead of waiting its turn."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def fresh_local_cache():
    """Each test starts with an empty per-process cache: counters kept there (the login limits per address, the
    throttles) would otherwise carry one test's failed log-ins into the next test of the same worker within the
    window. A shared cache (CACHE_URL) is left alone: other workers are using it."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process in tests; the integration tests (tests/notices/test_broker*.py) use a real worker."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def people(db):
    """The usual cast: a team of two, one reviewer per domain, a chair, an auditor, an outsider, an admin."""
    team = TeamFactory(slug="client-experience", name="Client Experience")
    alice = UserFactory(username="alice")
    ben = UserFactory(username="ben")
    team.members.add(alice, ben)
    reviewers = {domain: UserFactory(username=f"{domain}_reviewer", roles=[domain]) for domain in roles.DOMAINS}
    other_team = TeamFactory(slug="growth", name="Growth")
    olga = UserFactory(username="olga")
    other_team.members.add(olga)
    return SimpleNamespace(
        team=team,
        alice=alice,
        ben=ben,
        reviewers=reviewers,
        chair=UserFactory(username="chair", roles=[roles.CHAIR]),
        auditor=UserFactory(username="audrey", roles=[roles.AUDITOR]),
        other_team=other_team,
        olga=olga,
        admin=UserFactory(username="admin", is_staff=True, is_superuser=True),
        nobody=UserFactory(username="nobody"),
    )


@pytest.fixture(scope="session")
def dossier_signing_pair(tmp_path_factory):
    """A self-signed dossier signing key and certificate for the test session."""
    from reports.signing import make_demo_pair

    return make_demo_pair(tmp_path_factory.mktemp("dossier-signing"))


@pytest.fixture(autouse=True)
def dossier_settings(settings, dossier_signing_pair, tmp_path_factory):
    """Dossiers are signed with the test pair and stored in a temporary folder, never in the repository."""
    key, cert = dossier_signing_pair
    settings.DOSSIER_SIGNING_KEY = str(key)
    settings.DOSSIER_SIGNING_CERT = str(cert)
    settings.STORAGES = {
        **settings.STORAGES,
        "dossiers": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("dossiers"))},
        },
    }


@pytest.fixture
def postgres_only():
    """Skip on SQLite: row locks are exercised on PostgreSQL (CI runs the suite there too)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")
