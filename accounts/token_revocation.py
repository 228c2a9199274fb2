"""API tokens die with a password change, a deactivation or the removal of a role (DESIGN section 12).

Receivers of the user model's save and of its groups' changes, so that every path that changes these (the admin,
a management command, single sign-on's role sync, the password change form) revokes the user's tokens in the same
transaction. A password change is also a security event. Re-hashing the same password with a newer hasher (Django
does so at log-in) is not a change.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, is_password_usable
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import security_events
from .models_tokens import ApiToken
from .tokens import tokens_revoke_all

User = get_user_model()
Because = ApiToken.RevokedBecause


def _password_changed(user, stored_hash):
    if user.password == stored_hash:
        return False
    raw = getattr(user, "_password", None)
    # set_password keeps the raw password until save: the same password under a new hash is no change.
    return raw is None or not check_password(raw, stored_hash)


@receiver(pre_save, sender=User, dispatch_uid="accounts.tokens.user_pre_save")
def _note_identity_changes(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._token_revocation = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login at every log-in: nothing to compare, no query
    stored = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    # A first password (a new account's) is set, not changed: no event then, though tokens still go.
    instance._had_usable_password = bool(stored["password"]) and is_password_usable(stored["password"])
    if stored["is_active"] and not instance.is_active:
        instance._token_revocation = Because.DEACTIVATED
    elif _password_changed(instance, stored["password"]):
        instance._token_revocation = Because.PASSWORD_CHANGED


@receiver(post_save, sender=User, dispatch_uid="accounts.tokens.user_post_save")
def _revoke_on_identity_change(sender, instance, created=False, raw=False, **kwargs):
    because = getattr(instance, "_token_revocation", None)
    instance._token_revocation = None
    if because is None:
        return
    if because == Because.PASSWORD_CHANGED and getattr(instance, "_had_usable_password", False):
        security_events.record(security_events.Kind.PASSWORD_CHANGED, user=instance)
    tokens_revoke_all(user_ids=[instance.pk], because=because)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.tokens.groups_changed")
def _revoke_on_role_removal(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # After the clear the removed side is gone: note it now.
        if reverse:
            instance._token_users_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._token_users_cleared = [instance.pk] if instance.groups.exists() else []
        return
    if action == "post_clear":
        user_ids = getattr(instance, "_token_users_cleared", [])
    elif action == "post_remove" and pk_set:
        user_ids = list(pk_set) if reverse else [instance.pk]
    else:
        return
    if user_ids:
        tokens_revoke_all(user_ids=user_ids, because=Because.ROLE_REMOVED)


@receiver(pre_delete, sender=Group, dispatch_uid="accounts.tokens.group_deleted")
def _revoke_on_role_deletion(sender, instance, **kwargs):
    # Deleting a group removes its members without an m2m_changed signal.
    user_ids = list(instance.user_set.values_list("pk", flat=True))
    if user_ids:
        tokens_revoke_all(user_ids=user_ids, because=Because.ROLE_REMOVED)
