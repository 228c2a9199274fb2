"""Keep a team's Django group in step with its members, however they change (admin included)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Team


@receiver(m2m_changed, sender=Team.members.through)
def sync_team_group(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:
        # user.teams.add(team): instance is the user, pk_set the teams.
        teams = Team.objects.filter(pk__in=pk_set or [])
        users = [instance]
    else:
        teams = [instance]
        users = list(instance.members.model.objects.filter(pk__in=pk_set or []))
    for team in teams:
        if action == "post_add":
            team.group.user_set.add(*users)
        elif action == "post_remove":
            team.group.user_set.remove(*users)
        elif action == "pre_clear" and not reverse:
            team.group.user_set.clear()
    if action == "pre_clear" and reverse:
        for team in instance.teams.all():
            team.group.user_set.remove(instance)
