"""The demo features' answers to the questionnaire: what each of the company's real AI uses would say."""

from .demo_v2 import EXTRA

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
