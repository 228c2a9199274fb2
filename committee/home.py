"""The home page: each role's part of it, side by side for a person with several roles.

The team's work, the reviewer's queue and the auditor's latest entries come from the core
(``assessments.views.home``); the chair's pipeline is the committee's (``committee.pipeline``).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts import roles
from assessments.models import Team
from assessments.views.home import audit_home, queue_home, team_home

from .pipeline import pipeline


@require_safe
@login_required
def home(request):
    user = request.user
    now = timezone.now()
    teams = list(Team.objects.of(user).order_by("name"))
    context = {"now": now, "teams": teams}
    if teams:
        context["team_home"] = team_home(user, teams, now)
    queue = queue_home(user, now)
    if queue is not None:
        context["queue_home"] = queue
    if roles.user_has_role(user, roles.CHAIR) or user.is_superuser:
        context["pipeline"] = pipeline(user, now, sees_drafts=bool(teams))
    if roles.user_has_role(user, roles.AUDITOR):
        context["audit_home"] = audit_home(user)
    context["has_role"] = any(k in context for k in ("team_home", "queue_home", "pipeline", "audit_home"))
    return render(request, "home.html", context)
