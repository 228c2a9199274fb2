"""Product teams and the AI features they propose."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

from accounts import roles


class TeamQuerySet(models.QuerySet):
    def of(self, user):
        """The teams the user is a member of (membership is the team's group)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(group__user=user)


class Team(models.Model):
    """A product team. Its members are the users of its group: the one store of membership."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team", editable=False)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.group_id:
            self.group, _ = Group.objects.get_or_create(name=roles.team_group_name(self.slug))
        super().save(*args, **kwargs)

    @property
    def members(self):
        """The team's members: its group's users (add and remove work on it)."""
        return self.group.user_set

    def has_member(self, user):
        return user.is_authenticated and self.group.user_set.filter(pk=user.pk).exists()


class AIFeature(models.Model):
    """A proposed AI tool or feature. Each review cycle is one Assessment version."""

    name = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="features")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_features")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI feature"
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_feature_name_per_team")]

    def __str__(self):
        return self.name
