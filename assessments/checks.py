"""System checks (``manage.py check``): the audit log's signing key is configured and loadable; production
shares its cache between processes."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def audit_signing_key_check(app_configs, **kwargs):
    from .signing import load_private_key

    value = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if not value:
        return [
            checks.Warning(
                "AUDIT_SIGNING_KEY is not set: the audit log's head is not signed, and verify_audit_log reports it.",
                hint="Create a key (manage.py audit_keygen --out FILE) and set AUDIT_SIGNING_KEY to its path.",
                id="assessments.W001",
            )
        ]
    try:
        load_private_key(value)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="assessments.E001")]
    if not settings.DEBUG and str(value) == str(getattr(settings, "DEMO_AUDIT_SIGNING_KEY", "")):
        return [
            checks.Warning(
                "The audit log is signed with the local demo key created by make run.",
                hint="Use a production key kept outside the deployment folder; see the README.",
                id="assessments.W002",
            )
        ]
    return []


# Caches that live in one process (or nowhere): counters kept there do not hold across web processes.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "process memory (LocMemCache)",
    "django.core.cache.backends.dummy.DummyCache": "nowhere (DummyCache)",
}


@checks.register(checks.Tags.caches)
def shared_cache_check(app_configs, **kwargs):
    """The production profile's caches are shared by every web process (DESIGN: throttles, log-in limits)."""
    if not getattr(settings, "PRODUCTION", not settings.DEBUG):
        return []
    return [
        checks.Error(
            f"The production profile keeps the {alias!r} cache in {PER_PROCESS_CACHES[config.get('BACKEND')]}: "
            "API throttles, log-in limits, lockouts and the register's invalidation would each hold in one web "
            "process only.",
            hint="Set CACHE_URL to a shared cache (redis://host:6379/1, or dbcache://raia_cache after "
            "`manage.py createcachetable`), or set REDIS_URL to use that Redis. DJANGO_DEBUG=true (make run) keeps "
            "a local cache for development.",
            id="assessments.E002",
        )
        for alias, config in settings.CACHES.items()
        if config.get("BACKEND") in PER_PROCESS_CACHES
    ]
