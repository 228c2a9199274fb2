"""Demo data drawn from the company's real AI uses (DESIGN section 10).

Everything is created through the services, so the demo's audit trail, sign-offs
and permissions are exactly what real use would produce.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles

from . import demo_bias, services
from .demo_history import run_in_time_order
from .demo_v2 import EXTRA
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

COMMON = {
    "clinical.provides_therapy": False,
    "clinical.diagnoses_or_treats": False,
    "clinical.makes_clinical_decisions": False,
    "data.trained_on_therapy_conversations": False,
    "data.third_party_ai_in_therapy_communications": False,
    "security.adversarial_testing": "independent_team",
    "bias.testing_done": True,
    "bias.monitoring_plan": "automated_per_group",
    "oversight.feedback_and_appeal": "in_product_tracked",
    "impact.monitoring_plan": "automated_with_alerts",
}

INTAKE = {
    **COMMON,
    "overview.feature_summary": "Summarises a new client's intake form for the care coordinator.",
    "overview.purpose": (
        "When a client completes the intake questionnaire, the feature writes a short structured summary "
        "(reasons for seeking care, preferences, scheduling constraints) for the care coordinator who "
        "reviews the intake. Coordinators edit or discard the summary; the client's own answers stay visible."
    ),
    "overview.audience": ["clients"],
    "overview.ai_technique": "llm_generative",
    "overview.vendor": "Self-hosted open-weights model in our own cloud account",
    "clinical.influences_care_access": False,
    "clinical.crisis_exposure": "unlikely",
    "clinical.crisis_escalation": "alerts_clinician",
    "clinical.clinician_reviewed": True,
    "data.data_categories": ["account_and_contact", "intake_answers"],
    "data.processes_phi": True,
    "data.phi_safeguards": ["minimum_necessary", "encrypted", "need_to_know_access", "excluded_from_logs"],
    "data.retention_days": 30,
    "data.client_consent": "notice_with_opt_out",
    "security.accepts_untrusted_input": True,
    "security.can_take_actions": "output_only",
    "bias.relevant_dimensions": ["language"],
    "bias.language_and_expression": True,
    "transparency.disclosure_text": (
        "We use a computer program to sum up your intake form for our care team. "
        "A person reads your full answers too. The program does not give therapy or pick your care."
    ),
    "transparency.disclosure_delivery": ["next_to_feature", "privacy_notice"],
    "transparency.what_it_does_not_do": (
        "It does not give therapy, diagnose, decide on care, or contact the client. It only writes a summary "
        "that a coordinator reads beside the client's own answers."
    ),
    "transparency.opt_out": "same_service",
    "oversight.human_in_the_loop": "every_output_reviewed",
    "oversight.human_oversight_description": (
        "Every summary is read by a care coordinator before any action. Coordinators can flag a poor summary "
        "in one click; flags are reviewed weekly by the intake lead."
    ),
    "oversight.accountable_owner": "Head of Client Experience",
    "impact.expected_users_per_month": 4000,
    "impact.reaches_minors": False,
    "impact.error_severity": "inconvenience",
    "impact.reversibility": "easily_reversed",
    "impact.benefits": "Coordinators spend less time reading long forms and respond to new clients sooner.",
    "impact.residual_risks": "A summary could omit a preference; coordinators still see the full form.",
    "impact.rollback_plan": "A feature flag turns summaries off; coordinators fall back to the full form.",
}

MATCHING = {
    **COMMON,
    "overview.feature_summary": "Suggests therapists whose availability and specialties fit a client's request.",
    "overview.purpose": (
        "Ranks available therapists for a new client by stated preferences, language, specialty and schedule. "
        "Matching is administrative, not clinical: the client chooses and can change therapist at any time."
    ),
    "overview.audience": ["clients"],
    "overview.ai_technique": "classical_ml",
    "clinical.influences_care_access": True,
    "clinical.crisis_exposure": "not_possible",
    "clinical.clinician_reviewed": True,
    "data.data_categories": ["account_and_contact", "intake_answers", "scheduling_and_billing"],
    "data.processes_phi": True,
    "data.phi_safeguards": ["minimum_necessary", "deidentified_before_model", "encrypted", "need_to_know_access"],
    "data.retention_days": 365,
    "data.client_consent": "notice_with_opt_out",
    "security.accepts_untrusted_input": False,
    "security.can_take_actions": "acts_after_confirmation",
    "bias.relevant_dimensions": ["sexual_orientation", "language"],
    "bias.language_and_expression": False,
    "transparency.disclosure_text": (
        "A computer program suggests therapists who fit your needs and your times. "
        "You always choose. You can change therapist at any time."
    ),
    "transparency.disclosure_delivery": ["next_to_feature", "before_first_use"],
    "transparency.what_it_does_not_do": (
        "It does not judge the client's clinical needs or assign a therapist; it only orders the list the "
        "client chooses from."
    ),
    "transparency.opt_out": "same_service",
    "oversight.human_in_the_loop": "sampled_review",
    "oversight.human_oversight_description": "The matching team reviews a weekly sample and every complaint.",
    "oversight.accountable_owner": "Director of Care Operations",
    "impact.expected_users_per_month": 9000,
    "impact.reaches_minors": False,
    "impact.error_severity": "worse_care_experience",
    "impact.reversibility": "easily_reversed",
    "impact.benefits": "Clients find a suitable therapist faster, with fewer re-matches.",
    "impact.residual_risks": "Ranking could under-expose therapists serving smaller communities.",
    "impact.rollback_plan": "Switch back to the alphabetical availability list with one setting.",
}

NOTES = {
    **COMMON,
    "overview.feature_summary": "Drafts a structured session note from the therapist's own bullet points.",
    "overview.purpose": (
        "After a session the therapist types brief bullet points; the feature turns them into a draft note in "
        "the practice's template. The therapist edits and signs the note; nothing is filed without them."
    ),
    "overview.audience": ["therapists"],
    "overview.ai_technique": "llm_generative",
    "overview.vendor": "Self-hosted model; no data leaves our environment",
    "clinical.influences_care_access": False,
    "clinical.crisis_exposure": "unlikely",
    "clinical.crisis_escalation": "alerts_clinician",
    "clinical.clinician_reviewed": True,
    "data.data_categories": ["clinical_notes"],
    "data.processes_phi": True,
    "data.phi_safeguards": ["minimum_necessary", "encrypted", "need_to_know_access", "excluded_from_logs"],
    "data.retention_days": 0,
    "security.accepts_untrusted_input": False,
    "security.can_take_actions": "output_only",
    "bias.language_and_expression": True,
    "transparency.disclosure_text": (
        "This tool writes a first draft of your note from your own points. "
        "You check it, change it and sign it. It does not make care choices."
    ),
    "transparency.what_it_does_not_do": (
        "It does not listen to sessions, suggest diagnoses or treatment, or file anything without the "
        "therapist's signature."
    ),
    "transparency.opt_out": "same_service",
    "oversight.human_in_the_loop": "every_output_reviewed",
    "oversight.human_oversight_description": "The therapist reviews and signs every note; clinical QA audits 2%.",
    "oversight.accountable_owner": "Clinical Director",
    "impact.expected_users_per_month": 1200,
    "impact.reaches_minors": False,
    "impact.error_severity": "worse_care_experience",
    "impact.reversibility": "reversible_with_effort",
    "impact.benefits": "Therapists spend less time on documentation and more with clients.",
    "impact.residual_risks": "A draft could word something inaccurately; the therapist's signature is required.",
    "impact.rollback_plan": "Disable drafting per therapist or globally; notes are written by hand as before.",
}

JOURNALING = {
    **COMMON,
    "overview.feature_summary": "Suggests between-session journaling prompts chosen by the client's therapist.",
    "overview.purpose": (
        "Offers clients gentle journaling prompts between sessions, from a library the therapist curated. "
        "The prompts are general reflections, not exercises tailored to a condition."
    ),
    "overview.audience": ["clients", "therapists"],
    "overview.ai_technique": "llm_generative",
    "clinical.influences_care_access": False,
    "clinical.crisis_exposure": "likely",
    "clinical.crisis_escalation": "shows_resources",
    "clinical.clinician_reviewed": True,
    "data.data_categories": ["self_reports"],
    "data.processes_phi": False,
    "data.retention_days": 90,
    "data.client_consent": "explicit_opt_in",
    "security.accepts_untrusted_input": True,
    "security.can_take_actions": "output_only",
    "bias.relevant_dimensions": ["age"],
    "bias.language_and_expression": True,
    "transparency.disclosure_text": (
        "Prompts in your journal come from a computer program. "
        "Your therapist picked the topics. A person does not read what you write unless you share it."
    ),
    "transparency.disclosure_delivery": ["before_first_use", "label_on_ai_content"],
    "transparency.what_it_does_not_do": "It does not reply to journal entries or give advice about symptoms.",
    "transparency.opt_out": "same_service",
    "oversight.human_in_the_loop": "exception_only",
    "oversight.human_oversight_description": "Therapists choose the prompt library and can turn prompts off.",
    "oversight.accountable_owner": "Product Lead, Between-Session Care",
    "impact.expected_users_per_month": 6000,
    "impact.reaches_minors": False,
    "impact.error_severity": "harm_to_wellbeing",
    "impact.reversibility": "easily_reversed",
    "impact.benefits": "Clients stay engaged with their care between sessions.",
    "impact.residual_risks": "A prompt could land badly for a client in distress.",
    "impact.rollback_plan": "Prompts can be switched off per client, per therapist or globally.",
}

CBT_CHATBOT = {
    **COMMON,
    "overview.feature_summary": "A chat companion that coaches clients through CBT exercises between sessions.",
    "overview.purpose": (
        "A chatbot responds to what the client reports about their mood and walks them through cognitive "
        "restructuring exercises chosen for their symptoms."
    ),
    "overview.audience": ["clients"],
    "overview.ai_technique": "llm_third_party_api",
    "overview.vendor": "Hosted LLM API",
    "data.vendor_data_retention": "limited_retention",
    "security.vendor_agreement": "in_progress",
    "clinical.influences_care_access": False,
    "clinical.crisis_exposure": "likely",
    "clinical.crisis_escalation": "shows_resources",
    "clinical.clinician_reviewed": False,
    "data.data_categories": ["self_reports"],
    "data.processes_phi": True,
    "data.phi_safeguards": ["encrypted"],
    "data.retention_days": 365,
    "data.client_consent": "explicit_opt_in",
    "security.accepts_untrusted_input": True,
    "security.can_take_actions": "output_only",
    "bias.language_and_expression": True,
    "transparency.disclosure_text": "You are chatting with a computer program. It is not a person.",
    "transparency.disclosure_delivery": ["before_first_use", "label_on_ai_content"],
    "transparency.what_it_does_not_do": "It does not replace your therapist.",
    "transparency.opt_out": "same_service",
    "oversight.human_in_the_loop": "exception_only",
    "oversight.human_oversight_description": "Conversations flagged for risk words go to the on-call clinician.",
    "oversight.accountable_owner": "Product Lead, Between-Session Care",
    "impact.expected_users_per_month": 8000,
    "impact.reaches_minors": False,
    "impact.error_severity": "harm_to_wellbeing",
    "impact.reversibility": "hard_to_reverse",
    "impact.benefits": "Support between sessions.",
    "impact.residual_risks": "Clients may rely on the chatbot instead of their therapist.",
    "impact.rollback_plan": "Turn the chatbot off.",
}

# The same features as questionnaire version 2 asks them (the bench seeds these).
INTAKE_V2 = {**INTAKE, **EXTRA["intake"]}
MATCHING_V2 = {**MATCHING, **EXTRA["matching"]}
NOTES_V2 = {**NOTES, **EXTRA["notes"]}
JOURNALING_V2 = {**JOURNALING, **EXTRA["journaling"]}
CBT_CHATBOT_V2 = {**CBT_CHATBOT, **EXTRA["chatbot"]}

WELLBEING_DRAFT = {
    "overview.feature_summary": "Summarises a client's weekly wellbeing check-ins for their therapist.",
    "overview.audience": ["therapists"],
    "overview.ai_technique": "llm_generative",
    "clinical.provides_therapy": False,
    "clinical.diagnoses_or_treats": True,  # the draft shows a hard stop the team must resolve
}


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
    say(f"Demo data ready: {len(USERS) + 1} users, team {TEAM_SLUG}, {len(created)} new features.\n")
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
    yield 62
    assessment = _create(team, users, name, JOURNALING_V2)
    yield 27.3
    assessment = _step(assessment, "submit", users["alice"])
    yield 22.9
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
