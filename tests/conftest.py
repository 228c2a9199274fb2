import shutil

import pytest
from django.db import connection
from django.test import override_settings

from assessments import signing

from .factories import make_people

# Real hashing costs ~0.2 s per user; tests create many users.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


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
    return make_people()


@pytest.fixture(scope="session")
def dossier_signing_pair(tmp_path_factory):
    """A self-signed dossier signing key and certificate for the test session."""
    from reports.signing import make_demo_pair

    return make_demo_pair(tmp_path_factory.mktemp("dossier-signing"))


def dossier_test_settings(settings, pair, folder):
    """Dossiers signed with the test pair and stored in ``folder``, never in the repository."""
    key, cert = pair
    storages = {
        **settings.STORAGES,
        "dossiers": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return {"DOSSIER_SIGNING_KEY": str(key), "DOSSIER_SIGNING_CERT": str(cert), "STORAGES": storages}


@pytest.fixture(autouse=True)
def dossier_settings(settings, dossier_signing_pair, tmp_path_factory):
    """Dossiers are signed with the test pair and stored in a temporary folder, never in the repository."""
    values = dossier_test_settings(settings, dossier_signing_pair, tmp_path_factory.mktemp("dossiers"))
    for name, value in values.items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, dossier_signing_pair, tmp_path_factory):
    """A transaction open for a whole module, for data that its tests share: ``module_db(make)`` runs ``make()``
    in it, under the tests' settings (above), and returns what it returns.

    Each test still runs in its own savepoint (the ``db`` fixture), rolled back after it, so what one test
    writes is gone for the next, and the module's data is rolled back after its last test. For costly data (a
    seeded demo, assessments taken through five sign-offs) that several tests start from. Once made, the data is
    there for every later test of the module that uses the database, those that do not ask for it too (a
    module-scoped fixture lives to the module's end): keep a test that must not see it in another module. Not
    for a module with transactional tests (``transactional_db``, ``live_server``): they would see the open
    transaction.
    After-commit work (the dossier's rendering) runs for data made here only where ``make`` asks for it
    (``TestCase.captureOnCommitCallbacks(execute=True)``), as in any ``db`` test. Dossiers issued in ``make`` are
    stored in a folder of the module's: ``module_db.dossier_files_into(settings)`` copies them into the running
    test's own (see ``dossier_settings``) for a test that downloads them.
    """
    from django.conf import settings
    from django.db import transaction

    folder = tmp_path_factory.mktemp("dossiers")
    values = {
        "PASSWORD_HASHERS": FAST_HASHERS,
        "AUDIT_SIGNING_KEY": AUDIT_TEST_KEY,
        "AUDIT_PUBLIC_KEYS": "",
        **dossier_test_settings(settings, dossier_signing_pair, folder),
    }
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()

    def build(make):
        from config.celery import app

        eager, app.conf.task_always_eager = app.conf.task_always_eager, True
        try:
            with django_db_blocker.unblock(), override_settings(**values):
                return make()
        finally:
            app.conf.task_always_eager = eager

    def dossier_files_into(test_settings):
        shutil.copytree(folder, test_settings.STORAGES["dossiers"]["OPTIONS"]["location"], dirs_exist_ok=True)

    build.dossier_files_into = dossier_files_into
    try:
        yield build
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def postgres_only():
    """Skip on SQLite: row locks are exercised on PostgreSQL (CI runs the suite there too)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")
