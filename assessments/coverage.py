"""Coverage per framework: which elements of NIST AI RMF, ISO/IEC 42005 and EU AI Act Article 27 an
assessment's answers address, by which answers, and which are still open.

Structured values only; the page, the API and the dossier render them.
"""

from dataclasses import dataclass

from .frameworks import NIST_TITLE, listed_frameworks

DEPLOYER_TYPE = "rights.deployer_type"
ANNEX_III_USE = "rights.annex_iii_use"
# Article 27(1): public bodies and private entities providing public services that deploy a high-risk
# system (Annex III, critical infrastructure excluded), and any deployer of Annex III 5(b) and 5(c) systems.
PUBLIC_SERVICE_DEPLOYERS = ("public_body", "private_public_service")
ANY_DEPLOYER_USES = ("credit_scoring", "insurance_pricing")
NOT_HIGH_RISK = "none"

APPLIES = "applies"
NOT_APPLICABLE = "not_applicable"
UNDETERMINED = "undetermined"
NOT_MAPPED = "not_mapped"


@dataclass(frozen=True)
class ElementCoverage:
    id: str
    label: str
    questions: tuple  # visible questions mapped to the element
    answered_by: tuple  # of those, the ones answered

    @property
    def covered(self):
        return bool(self.answered_by)


@dataclass(frozen=True)
class FrameworkCoverage:
    key: str
    title: str
    status: str  # applies, not_applicable, undetermined (Article 27 not yet decided), not_mapped
    note: str
    elements: tuple  # of ElementCoverage; empty when the framework does not apply or is not mapped

    @property
    def open(self):
        return [e.id for e in self.elements if not e.covered]

    @property
    def covered_count(self):
        return sum(1 for e in self.elements if e.covered)

    def as_data(self):
        return {
            "key": self.key,
            "title": self.title,
            "status": self.status,
            "note": self.note,
            "covered": self.covered_count,
            "total": len(self.elements),
            "open": self.open,
            "elements": [
                {
                    "id": e.id,
                    "label": e.label,
                    "covered": e.covered,
                    "answered_by": list(e.answered_by),
                    "questions": list(e.questions),
                }
                for e in self.elements
            ],
        }


def article_27_applies(answers):
    """True, False, or None while the applicability questions are unanswered."""
    deployer, use = answers.get(DEPLOYER_TYPE), answers.get(ANNEX_III_USE)
    if use in ANY_DEPLOYER_USES:
        return True
    if deployer is None or use is None:
        return None
    return deployer in PUBLIC_SERVICE_DEPLOYERS and use != NOT_HIGH_RISK


def coverage(questionnaire, answers):
    """Coverage of every framework, in the order NIST AI RMF, ISO/IEC 42005, EU AI Act Article 27."""
    visible = questionnaire.visible_answers(answers)
    shown = [q for q in questionnaire.questions.values() if questionnaire.is_visible(q, answers)]

    def elements(key, listed):
        # An element whose every question these answers hide (a vendor question without a vendor) is not asked.
        found = []
        for element_id, label in listed:
            asking = tuple(q.id for q in shown if element_id in getattr(q, key))
            if asking:
                found.append(ElementCoverage(element_id, label, asking, tuple(q for q in asking if q in visible)))
        return tuple(found)

    nist = FrameworkCoverage(
        "nist",
        NIST_TITLE,
        APPLIES,
        "The subcategories the questions shown for these answers map to.",
        elements("nist", [(ref, "") for ref in questionnaire.all_nist_subcategories()]),
    )
    result = [nist]
    for key, framework in listed_frameworks().items():
        listed = [(e.id, e.label) for e in framework.elements]
        if not any(getattr(q, key) for q in questionnaire.questions.values()):
            result.append(
                FrameworkCoverage(
                    key,
                    framework.title,
                    NOT_MAPPED,
                    f"Questionnaire {questionnaire.version} does not map its questions to {framework.title}; "
                    "a re-assessment on the current questionnaire does.",
                    (),
                )
            )
            continue
        status, note = APPLIES, ""
        if key == "eu_ai_act":
            applies = article_27_applies(visible)
            if applies is False:
                status = NOT_APPLICABLE
                note = (
                    "Article 27 does not apply: the answers say the feature is not used for an Annex III "
                    "high-risk purpose by a public body or a provider of public services."
                )
            elif applies is None:
                status = UNDETERMINED
                note = "Whether Article 27 applies is not known until the fundamental-rights questions are answered."
            else:
                note = "Article 27 applies: a fundamental-rights impact assessment is needed before first use."
        result.append(
            FrameworkCoverage(
                key, framework.title, status, note, () if status == NOT_APPLICABLE else elements(key, listed)
            )
        )
    return result


def coverage_for_page(questionnaire, answers):
    """Coverage with each answering question as the ``Question`` (text and anchor), for pages and dossiers."""
    rows = []
    for framework in coverage(questionnaire, answers):
        rows.append(
            {
                "framework": framework,
                "elements": [
                    {
                        "element": element,
                        "answered_by": [questionnaire.questions[qid] for qid in element.answered_by],
                        "open_questions": [
                            questionnaire.questions[qid] for qid in element.questions if qid not in element.answered_by
                        ],
                    }
                    for element in framework.elements
                ],
            }
        )
    return rows


def asked_anew(questionnaire, creation_details, answers):
    """Questions a re-assessment on a newer questionnaire asks that no earlier answer filled, still unanswered."""
    ids = (creation_details or {}).get("asked_anew") or []
    return [questionnaire.questions[qid] for qid in ids if qid in questionnaire.questions and qid not in answers]


def maps_beyond_nist(questionnaire):
    """True when the questionnaire maps questions to ISO/IEC 42005 or EU AI Act points (version 2 on)."""
    return any(q.iso42005 or q.eu_ai_act for q in questionnaire.questions.values())
