"""The demo's answers to the questions questionnaire version 2 added (ISO/IEC 42005, EU AI Act Article 27).

The demo's launched and approved features were assessed on version 1, before version 2 existed; the
features assessed since answer version 2, which is these answers on top of their version-1 ones.
"""

# A private company providing care under public-health contracts: Article 27 turns on the Annex III use.
NOT_HIGH_RISK = {"rights.deployer_type": "private_public_service", "rights.annex_iii_use": "none"}

EXTRA = {
    "intake": {
        **NOT_HIGH_RISK,
        "overview.intended_uses": (
            "Care coordinators use it to read new intake forms faster. It is not meant for crisis messages, "
            "for clinical judgment, or for forms of clients under 18."
        ),
        "overview.foreseeable_misuse": (
            "A coordinator could act on the summary without reading the form. The summary sits beside the full "
            "form, and the intake lead samples cases weekly to check that forms were read."
        ),
        "overview.care_process": (
            "Intake: after a client submits the form and before a coordinator calls them to arrange a first "
            "session. Before the feature, coordinators read the whole form."
        ),
        "overview.period_and_frequency": "Ongoing, reviewed every year; once per new client, about 150 times a day.",
        "overview.model_version": "Open-weights summarisation model, release 2025-03, self-hosted",
        "data.data_sources": (
            "Intake forms clients fill in. Tested on 2,000 past forms across languages, ages and regions; "
            "forms in languages other than English and Spanish are few."
        ),
        "impact.affected_groups": "New clients (about 4,000 a month) and the coordinators who read their forms.",
        "impact.vulnerable_groups": ["people_in_crisis", "limited_english"],
        "impact.benefits_and_harms_per_group": (
            "Clients get a first call sooner; a summary that leaves out a preference could slow their match. "
            "Coordinators save reading time; they could trust a poor summary."
        ),
        "impact.alternatives": (
            "More coordinators, or a shorter form. Both were weighed; the summary keeps the full form and is "
            "checked by a person, so the remaining risk is small."
        ),
        "impact.when_risk_materialises": (
            "The intake lead is told the same day, can switch summaries off at once, and contacts any client "
            "whose first call was delayed. Incidents go to the incident log."
        ),
        "impact.complaint_route": (
            "Clients can use the 'Report a problem' link on the intake page or write to support; the intake "
            "team answers within two working days."
        ),
        "impact.other_assessments": ["dpia", "security_review"],
        "impact.other_assessment_references": "DPIA-2025-014 (March 2025); security review SEC-311 (April 2025).",
    },
    "matching": {
        **NOT_HIGH_RISK,
        "overview.intended_uses": "New clients use it to see therapists who fit their stated needs and times.",
        "overview.foreseeable_misuse": (
            "Staff could treat the order as a clinical ranking. The list says it is sorted by fit to the "
            "client's own choices, and clients can see every therapist."
        ),
        "overview.care_process": "Matching: after intake and before the first session is booked.",
        "overview.period_and_frequency": "Ongoing, reviewed every year; once or twice per new client.",
        "overview.model_version": "Matching ranker, release 2025-02, built in-house",
        "data.data_sources": "Client preferences from intake and the therapist directory; checked monthly.",
        "impact.affected_groups": "New clients (about 9,000 a month) and the therapists they may be matched with.",
        "impact.vulnerable_groups": ["limited_english"],
        "impact.benefits_and_harms_per_group": (
            "Clients find a therapist faster; a biased order could show some groups fewer suitable therapists. "
            "Therapists serving small communities could be shown less often."
        ),
        "impact.alternatives": "An alphabetical list; it made clients search longer and re-match more often.",
        "impact.when_risk_materialises": (
            "The matching team switches back to the alphabetical list and contacts affected clients."
        ),
        "impact.complaint_route": "Clients can ask support for a different therapist at any time.",
        "impact.other_assessments": ["dpia", "equality"],
    },
    "notes": {
        **NOT_HIGH_RISK,
        "overview.intended_uses": "Therapists use it to turn their own bullet points into a draft session note.",
        "overview.foreseeable_misuse": (
            "A therapist could sign a draft without reading it. Signing needs an edit or a confirmation of each "
            "section, and clinical QA audits a sample."
        ),
        "overview.care_process": "Documentation, after a session and before the note is signed and filed.",
        "overview.period_and_frequency": "A pilot with 50 therapists for three months; once per session.",
        "overview.model_version": "Open-weights note model, release 2025-04, self-hosted",
        "data.data_sources": "The therapist's own bullet points; tested on 500 made-up notes written by clinicians.",
        "impact.affected_groups": "Therapists in the pilot and the clients whose notes they write.",
        "impact.vulnerable_groups": ["people_in_crisis"],
        "impact.benefits_and_harms_per_group": (
            "Therapists save writing time; a wrong word in a note could mislead later care for a client."
        ),
        "impact.alternatives": "Note templates without AI; they saved less time. The therapist still decides.",
        "impact.when_risk_materialises": "Clinical QA corrects the note, tells the therapist and logs the incident.",
        "impact.complaint_route": "Therapists report a poor draft in the editor; clients can ask for their record.",
        "impact.other_assessments": ["dpia", "clinical_safety"],
    },
    "journaling": {
        **NOT_HIGH_RISK,
        "overview.intended_uses": "Clients get general journaling prompts between sessions, chosen by their therapist.",
        "overview.foreseeable_misuse": "A client could write about a crisis; the journal shows crisis resources.",
        "overview.care_process": "Between sessions; the therapist chooses the prompt library.",
        "overview.period_and_frequency": "Ongoing; a few prompts a week per client who opts in.",
        "overview.model_version": "Open-weights prompt selector, release 2025-05, self-hosted",
        "data.data_sources": "The therapist-curated prompt library; no client data trains it.",
        "impact.affected_groups": "Clients who opt in, and their therapists.",
        "impact.vulnerable_groups": ["people_in_crisis"],
        "impact.benefits_and_harms_per_group": "Clients reflect between sessions; a prompt could land badly.",
        "impact.alternatives": "Fixed weekly prompts; clients found them less relevant.",
        "impact.when_risk_materialises": "The product lead pauses prompts and the therapist contacts the client.",
        "impact.complaint_route": "Clients can report a prompt in the journal or tell their therapist.",
        "impact.other_assessments": ["dpia"],
    },
    "chatbot": {
        **NOT_HIGH_RISK,
        "overview.intended_uses": "Clients chat with it between sessions about their mood.",
        "overview.foreseeable_misuse": "Clients could use it instead of their therapist.",
        "overview.care_process": "Between sessions.",
        "overview.period_and_frequency": "Ongoing; daily for clients who opt in.",
        "overview.model_version": "Hosted LLM, vendor's current version",
        "data.data_sources": "What clients type; the vendor's model.",
        "impact.affected_groups": "Clients who opt in.",
        "impact.vulnerable_groups": ["people_in_crisis"],
        "impact.benefits_and_harms_per_group": "Support between sessions; harmful advice to a client in distress.",
        "impact.alternatives": "Journaling prompts chosen by the therapist.",
        "impact.when_risk_materialises": "Switch the chatbot off and alert the on-call clinician.",
        "impact.complaint_route": "Through the general support channel.",
        "impact.other_assessments": ["none"],
        "impact.no_other_assessment_reason": "Not started yet.",
    },
}
