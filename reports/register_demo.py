"""The demo's register text (DESIGN section 10): the features on the register carry reviewed text, drafted by
the team's ``alice`` and published by Legal's ``lena`` through the publication services, so a newcomer sees
the register page and both standard exports filled."""

from assessments.models import AIFeature

from .models import RegisterText
from .register_publication import register_text_draft, register_text_publish

CONTACT = "client-experience-ai@example.org"
TEXTS = {
    "AI-enhanced intake summary": {
        "contact_email": CONTACT,
        "senior_responsible_owner": "Head of Client Experience",
        "supplier": "",
        "data_used": "The answers you give on our intake form. We do not use your therapy sessions.",
        "human_oversight": "A care team member reads each summary. They also read your full form. "
        "They do this before anything else happens.",
        "how_to_complain": "Use the Report a problem link on the intake page, or write to our support team. "
        "A person replies within two working days.",
        "impact_assessments": "We checked the risks of this AI before we used it, and our AI review board said "
        "yes. We also did a privacy check (a DPIA) and a security check.",
    },
    "Therapist matching": {
        "contact_email": CONTACT,
        "senior_responsible_owner": "Director of Care Operations",
        "supplier": "",
        "data_used": "What you tell us you want in a therapist, your times, and our list of therapists.",
        "human_oversight": "You choose your therapist. Our matching team checks a sample of matches each week.",
        "how_to_complain": "Ask our support team for a different therapist at any time. "
        "You can also tell us if a match felt wrong.",
        "impact_assessments": "We checked the risks of this AI before we used it, and our AI review board said "
        "yes. We also did a privacy check (a DPIA) and a check that it treats all groups fairly.",
    },
}


def register_demo_texts(*, team, users):
    """Publish the demo text of each demo feature on the register that has none yet. Idempotent."""
    for name, values in TEXTS.items():
        feature = AIFeature.objects.filter(team=team, name=name).first()
        if feature is None or RegisterText.objects.filter(feature=feature).exists():
            continue
        draft = register_text_draft(feature=feature, by=users["alice"], values=values)
        register_text_publish(text=draft, by=users["lena"], comment="Plain, accurate and complete.")
