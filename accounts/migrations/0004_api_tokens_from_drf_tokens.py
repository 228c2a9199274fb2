"""The tokens of DRF's authtoken table become API tokens, so that current integrations keep working.

Each key is stored as its SHA-256 (accounts.models_tokens.key_digest) and expires API_TOKEN_TTL from now; the old
table's rows, which held the keys in clear, are deleted. The table itself belonged to rest_framework.authtoken,
no longer installed; on a new database it does not exist and there is nothing to do.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def from_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    table = connection.ops.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {table}")  # noqa: S608  # nosec B608
        rows = cursor.fetchall()
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    expires = now + timedelta(seconds=settings.API_TOKEN_TTL)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name="API token from before expiry",
                digest=hashlib.sha256(key.encode()).hexdigest(),
                created_at=created or now,
                expires_at=expires,
            )
            for key, user_id, created in rows
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_tokens")]

    operations = [migrations.RunPython(from_legacy_tokens, migrations.RunPython.noop)]
