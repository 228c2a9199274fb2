"""Demo data drawn from the company's real AI uses (DESIGN section 10).

Everything is created through the services, so the demo's audit trail, sign-offs
and permissions are exactly what real use would produce.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts import roles

from . import demo_bias, services
from .demo_answers import CBT_CHATBOT_V2, INTAKE, JOURNALING_V2, MATCHING, NOTES_V2, WELLBEING_DRAFT
from .demo_history import run_in_time_order
from .models import AIFeature, Team
from .signals import demo_seeded

TEAM_SLUG = "client-experience"
USERS = {
    # username: (first name, last name, role group or None for the team)
    "alice": ("Alice", "Moreno", None),
    "lena": ("Lena", "Fischer", roles.LEGAL),
    "sam": ("Sam", "Okafor", roles.SECURITY),
    "claire": ("Claire", "Dubois", roles.CLINICAL),
    "priya": ("Priya", "Raman", roles.PRODUCT),
    "dana": ("Dana", "Kowalski", roles.DATA_AI),
    "chair": ("Morgan", "Hale", roles.CHAIR),
    "audrey": ("Audrey", "Lindqvist", roles.AUDITOR),
}
REVIEWER_OF = {group: name for name, (_, _, group) in USERS.items() if group in roles.DOMAINS}


def seed_demo(*, password, stdout=None):
    """Create or refresh the demo team, users and assessments. Idempotent.

    The features' histories are spread over the last ``HISTORY_DAYS`` days, each step at its own moment
    (``demo_history``), so the committee's analytics have real stage times to show.
    """
    say = stdout.write if stdout else (lambda message: None)
    today = timezone.localdate()
    with transaction.atomic():
        users = _users(password)
        team, _ = Team.objects.get_or_create(slug=TEAM_SLUG, defaults={"name": "Client Experience"})
        team.members.add(users["alice"])
        created = [name for name, _ in DEMO_FEATURES if not AIFeature.objects.filter(team=team, name=name).exists()]
        builders = dict(DEMO_FEATURES)
        run_in_time_order([builders[name](team=team, users=users, name=name, today=today) for name in created])
        demo_seeded.send(sender=seed_demo, team=team, users=users)
    made = f"{len(created)} new feature{pluralize(len(created))}"
    say(f"Demo data ready: {len(USERS) + 1} users, team {TEAM_SLUG}, {made}.\n")
    return created


def _users(password):
    user_model = get_user_model()
    users = {}
    for username, (first, last, group) in USERS.items():
        user, _ = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        user.set_password(password)
        user.save()
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        users[username] = user
    admin, _ = user_model.objects.get_or_create(
        username="admin", defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True}
    )
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    users["admin"] = admin
    return users


def _create(team, users, name, answers, questionnaire_version=None):
    return services.assessment_create(
        team=team, feature_name=name, answers=answers, by=users["alice"], questionnaire_version=questionnaire_version
    )


def _step(assessment, name, by, **kwargs):
    return services.assessment_transition(assessment=assessment, name=name, by=by, **kwargs)


def _through(assessment, users, domains, conditions=None):
    for domain in domains:
        extra = {"conditions": conditions} if conditions and domain == roles.CLINICAL else {}
        assessment = _step(assessment, "approve", users[REVIEWER_OF[domain]], comment="Reviewed; no concerns.", **extra)
    return assessment


def _small_group_note(flag):
    if flag["code"] == "group_too_small":
        return (
            f"“{flag['group']}” is a small group in this period; we pool two quarters for it and report "
            "its rate with its interval at each monthly review."
        )
    return demo_bias.TRIAGE_MITIGATION


# Each history below yields the number of days ago its next step happens (see ``demo_history``). The features
# are created in the order of DEMO_FEATURES, so their ids stay as they were. Stage waits run from hours to about
# two weeks, as the committee's do.
HISTORY_DAYS = 120


def _launched_intake(*, team, users, name, today):
    yield 119
    assessment = _create(team, users, name, INTAKE, questionnaire_version="v1")
    yield 117.6
    dimensions = ["race", "religion", "gender", "language"]
    services.bias_results_add(
        assessment=assessment,
        rows=demo_bias.results(dimensions, metric="accuracy", level=0.91, spread=0.05),
        by=users["alice"],
        description=demo_bias.INTAKE_RESULTS_DESCRIPTION,
    )
    demo_bias.add_triage_predictions(assessment, users["alice"])
    yield 117.5
    assessment = _step(assessment, "submit", users["alice"])
    for days_ago, domain in (
        (114.8, roles.LEGAL),
        (108.3, roles.SECURITY),
        (97.9, roles.CLINICAL),
        (97.6, roles.PRODUCT),
    ):
        yield days_ago
        assessment = _through(assessment, users, (domain,))
    yield 91.2
    demo_bias.mitigate_every_flag(assessment, users["dana"], _small_group_note)
    yield 88.7
    assessment = _through(assessment, users, roles.DOMAINS[-1:])
    yield 81.4
    assessment = _step(assessment, "launch", users["alice"], comment="Rolled out to all coordinators.")
    # The first month's monitoring after launch, recorded by Data/AI: no new flag.
    yield 50.3
    services.bias_results_add(
        assessment=assessment,
        rows=demo_bias.results(dimensions, metric="accuracy", level=0.92, spread=0.04),
        by=users["dana"],
        description="Intake-summary model v1.4 on intakes of July 2026 (812 clients): monthly monitoring.",
    )


def _approved_matching(*, team, users, name, today):
    """Security asks for the oversight to be spelt out; the team does so and the second round goes through."""
    yield 76
    assessment = _create(team, users, name, MATCHING, questionnaire_version="v1")
    yield 73.9
    services.bias_results_add(
        assessment=assessment,
        rows=demo_bias.results(
            ["race", "religion", "gender", "sexual_orientation", "language"],
            metric="selection_rate",
            level=0.64,
            spread=0.08,
        ),
        by=users["alice"],
        description=demo_bias.MATCH_DESCRIPTION,
    )
    yield 73.8
    assessment = _step(assessment, "submit", users["alice"])
    yield 71.6
    assessment = _through(assessment, users, (roles.LEGAL,))
    yield 65.2
    assessment = _step(
        assessment,
        "request_changes",
        users["sam"],
        comment="Say who may change the ranking model and how a change is reviewed before it reaches clients.",
    )
    yield 61.9
    assessment = services.assessment_update_answers(
        assessment=assessment,
        answers={
            "oversight.human_oversight_description": (
                "The matching team reviews a weekly sample and every complaint. Only the matching team's two "
                "leads may deploy a new ranking model, after a second lead's review."
            )
        },
        by=users["alice"],
    )
    yield 61.8
    assessment = _step(
        assessment, "resubmit", users["alice"], comment="Named who may change the ranking model and the review."
    )
    condition = {
        "text": "Report match acceptance per language group monthly for the first quarter after launch.",
        "owner": "alice",
        "due_date": (today + timedelta(days=45)).isoformat(),
    }
    for days_ago, domain in ((60.7, roles.LEGAL), (57.4, roles.SECURITY), (49.1, roles.CLINICAL)):
        yield days_ago
        assessment = _through(assessment, users, (domain,), conditions=[condition])
    for days_ago, domain in ((48.8, roles.PRODUCT), (38.2, roles.DATA_AI)):
        yield days_ago
        assessment = _through(assessment, users, (domain,))


OVERDUE_SINCE_DAYS = 14  # longer than any stage deadline plus the chair's escalation delay


def _notes_in_review(*, team, users, name, today):
    """Drafted for months, submitted in the last weeks and waiting at Clinical review for two weeks: overdue,
    so the first reminder sweep reminds Clinical and escalates to the chair; Legal's condition falls due in
    three days."""
    yield 120
    assessment = _create(team, users, name, NOTES_V2)
    yield 19.1
    services.bias_results_add(
        assessment=assessment,
        rows=demo_bias.notes_results(),
        by=users["alice"],
        description=demo_bias.NOTES_DESCRIPTION,
    )
    yield 19
    assessment = _step(assessment, "submit", users["alice"])
    yield 16.7
    condition = {
        "text": "Update the privacy notice for therapists to describe note drafting before the pilot widens.",
        "owner": "alice",
        "due_date": (today + timedelta(days=3)).isoformat(),
    }
    assessment = _step(assessment, "approve", users["lena"], comment="Reviewed; no concerns.", conditions=[condition])
    yield OVERDUE_SINCE_DAYS
    _through(assessment, users, (roles.SECURITY,))


def _journaling_changes_requested(*, team, users, name, today):
    """Submitted and sent back within the last seven full days (more than one day and under seven ago, whatever
    the hour): the chair's digest and the analytics' week have a submission and a decision to count."""
    yield 62
    assessment = _create(team, users, name, JOURNALING_V2)
    yield 6.4
    assessment = _step(assessment, "submit", users["alice"])
    yield 2.3
    _step(
        assessment,
        "request_changes",
        users["lena"],
        comment="The disclosure must tell clients how to reach a person in a crisis. Please add it and resubmit.",
    )


def _cbt_chatbot_rejected(*, team, users, name, today):
    yield 58
    assessment = _create(team, users, name, CBT_CHATBOT_V2)
    yield 54.2
    assessment = _step(assessment, "submit", users["alice"])
    for days_ago, domain in ((52.9, roles.LEGAL), (45.6, roles.SECURITY)):
        yield days_ago
        assessment = _through(assessment, users, (domain,))
    yield 41.3
    _step(
        assessment,
        "reject",
        users["claire"],
        comment=(
            "Hard stop: walking clients through CBT exercises chosen for their symptoms is therapy. "
            "Policy (people-powered care) forbids AI that provides therapy, whatever the answers said."
        ),
    )


def _wellbeing_draft(*, team, users, name, today):
    yield 3.2
    _create(team, users, name, WELLBEING_DRAFT)


# In this order the features are created (their ids); their steps run in time order (``run_in_time_order``).
DEMO_FEATURES = [
    ("Session-notes drafting for therapists", _notes_in_review),
    ("AI-enhanced intake summary", _launched_intake),
    ("Therapist matching", _approved_matching),
    ("Between-session journaling prompts", _journaling_changes_requested),
    ("CBT chat companion", _cbt_chatbot_rejected),
    ("Wellbeing check-in summariser", _wellbeing_draft),
]
