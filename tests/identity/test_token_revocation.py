"""A password change, a deactivation or the removal of a role revokes all of the user's API tokens."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken, SecurityEvent
from accounts.models_tokens import key_digest

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/auth/tokens/"


def works(key):
    return APIClient().get(TOKENS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


@pytest.fixture
def lawyer(db):
    user = UserFactory(username="lena", roles=["legal", "auditor"])
    return SimpleNamespace(user=user, keys=[tokens.token_create(user=user).key for _ in range(2)])


@pytest.fixture
def bystander(db):
    user = UserFactory(username="sam", roles=["legal"])
    return SimpleNamespace(user=user, key=tokens.token_create(user=user).key)


def assert_revoked(lawyer, bystander, because):
    assert not any(works(key) for key in lawyer.keys)
    assert set(ApiToken.objects.filter(user=lawyer.user).values_list("revoked_because", flat=True)) == {because}
    assert works(bystander.key)
    event = SecurityEvent.objects.get(kind="token_revoked", user=lawyer.user)
    assert event.details["reason"] == because and len(event.details["tokens"]) == 2


def test_a_password_change_revokes_every_token_and_is_recorded(lawyer, bystander):
    lawyer.user.set_password("a-new-long-password")
    lawyer.user.save()

    assert_revoked(lawyer, bystander, "password_changed")
    assert SecurityEvent.objects.filter(kind="password_changed", user=lawyer.user).count() == 1


def test_the_same_password_hashed_again_revokes_nothing(lawyer, bystander):
    # Django re-hashes a password with a newer hasher at log-in: not a change.
    lawyer.user.set_password(PASSWORD)
    lawyer.user.save(update_fields=["password"])

    assert all(works(key) for key in lawyer.keys)
    assert not SecurityEvent.objects.filter(kind="password_changed").exists()


def test_deactivation_revokes_every_token(lawyer, bystander):
    lawyer.user.is_active = False
    lawyer.user.save()

    assert_revoked(lawyer, bystander, "deactivated")
    lawyer.user.is_active = True
    lawyer.user.save()
    assert not any(works(key) for key in lawyer.keys)  # reactivation does not bring them back


def test_removing_a_role_from_the_user_revokes(lawyer, bystander):
    lawyer.user.groups.remove(Group.objects.get(name="auditor"))

    assert_revoked(lawyer, bystander, "role_removed")


def test_removing_the_user_from_a_role_revokes(lawyer, bystander):
    Group.objects.get(name="auditor").user_set.remove(lawyer.user)

    assert_revoked(lawyer, bystander, "role_removed")


def test_setting_fewer_roles_revokes(lawyer, bystander):
    lawyer.user.groups.set([Group.objects.get(name="legal")])

    assert_revoked(lawyer, bystander, "role_removed")


def test_clearing_the_roles_revokes(lawyer, bystander):
    lawyer.user.groups.clear()

    assert_revoked(lawyer, bystander, "role_removed")


def test_clearing_a_roles_members_revokes_theirs(lawyer, bystander):
    Group.objects.get(name="auditor").user_set.clear()

    assert_revoked(lawyer, bystander, "role_removed")


def test_deleting_a_role_revokes_its_members_tokens(lawyer, bystander):
    Group.objects.get(name="auditor").delete()

    assert_revoked(lawyer, bystander, "role_removed")


def test_adding_a_role_or_signing_in_revokes_nothing(lawyer, bystander):
    lawyer.user.groups.add(Group.objects.get_or_create(name="security")[0])
    APIClient().force_login(lawyer.user)  # writes last_login
    lawyer.user.first_name = "Lena"
    lawyer.user.save()

    assert all(works(key) for key in lawyer.keys)
    assert not SecurityEvent.objects.filter(kind__in=["token_revoked", "password_changed"]).exists()


def test_tokens_from_before_expiry_are_hashed_and_keep_working(people, settings):
    """The data migration: DRF's authtoken rows become hashed API tokens, and the clear keys are deleted."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0004_api_tokens_from_drf_tokens")
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created timestamp with time zone NULL, '
            "user_id integer NOT NULL)"
            if connection.vendor == "postgresql"
            else 'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created datetime NULL, user_id integer)'
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, NULL, %s)', [key, people.alice.pk]
        )

    migration.from_legacy_tokens(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=people.alice)
    assert token.digest == key_digest(key)
    assert (token.expires_at - token.created_at).days == 30
    assert works(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
