"""The public register in the public standards' shapes: UK ATRS v4 (``/register/atrs.json``), the Dutch
Algoritmeregister publication standard v1.0 (``/register/algoritmeregister.json``), and CSV.

Each record is built from one export entry (``register.export_entry``: the register entry, with the listed
version's answers and the feature's published register text), so the formats say what the register page says.
Only features with published text are exported: both standards need a contact address, which only that text
holds, and Legal or the chair saw these records when publishing it. The
field crosswalk is in docs/standards.md; the JSON Schemas the exports are checked against are in
docs/schemas/.
"""

import csv
import io

from django.conf import settings

from .csv_export import inert

# ATRS v4 field values this tool can state (docs/standards.md, "Register formats").
ATRS_PHASE = {"approved": "Development", "launched": "Production", "reassessment_due": "Production"}
# Dutch publication standard 1.0: status and publication category values, as the standard spells them.
NL_STATUS = {"approved": "In ontwikkeling", "launched": "In gebruik", "reassessment_due": "In gebruik"}
NL_HIGH_RISK = "Hoog-risico AI-systeem"
NL_IMPACTFUL = "Impactvolle algoritmes"
NL_OTHER = "Overige algoritmes"
NL_CATEGORY = "Zorg en gezondheid"
IN_HOUSE_NL = "Intern ontwikkeld"
NOT_RECORDED = "Not recorded in the impact assessment."
# The standard's limits are "fewer than N characters"; a longer text is cut at a word with this note.
SHORTENED = " … (shortened; the full text is in our register)"
NL_LIMITS = {
    "name": 100,
    "description_short": 350,
    "organization": 100,
    "goal": 2500,
    "proportionality": 2500,
    "human_intervention": 2500,
    "risks": 2500,
    "impacttoetsen": 2500,
    "source_data": 2500,
    "methods_and_models": 5000,
    "provider": 200,
    "source_id": 100,
}
# Fields a Dutch record must not be published without (the standard's "Verplicht").
NL_MANDATORY = ("name", "description_short", "organization", "status", "contact_email", "publication_category")


def _or(*values, default=NOT_RECORDED):
    for value in values:
        if value:
            return value
    return default


def atrs_record(entry):
    """One ATRS v4 record (field names of docs/standards.md section "UK ATRS v4")."""
    text = entry["register_text"]
    supplier = text["supplier"]
    organisation = settings.REGISTER_ORGANISATION
    return {
        "title": entry["feature"],
        "organisation_name": organisation,
        "phase": ATRS_PHASE[entry["status"]],
        "region": settings.REGISTER_REGION,
        "one_sentence_description": _or(entry["summary"], entry["disclosure"]),
        "name": entry["feature"],
        "description": _or(entry["disclosure"], entry["summary"]),
        "website_url": f"{settings.SITE_URL}/register/",
        "contact_email": text["contact_email"],
        "organisation_or_department": organisation,
        "team": entry["team"],
        "senior_responsible_owner": text["senior_responsible_owner"],
        "third_party_involvement": "Yes" if supplier else "No",
        "third_party": supplier or "N/A",
        "companies_house_number": "N/A",
        "third_party_role": f"Supplies the AI model or service: {_or(entry['model'], supplier)}" if supplier else "N/A",
        "procurement_procedure_type": "N/A",
        "third_party_data_access_terms": _or(entry["vendor_data_terms"]) if supplier else "N/A",
        "detailed_description": " ".join(p for p in (entry["purpose"], entry["what_it_does_not_do"]) if p)
        or NOT_RECORDED,
        "benefit": _or(entry["benefits"]),
        "alternatives_considered": _or(entry["alternatives"]),
        "integration_into_broader_operational_process": _or(entry["care_process"], entry["purpose"]),
        "frequency_and_scale_of_usage": _or(entry["period_and_frequency"], entry["scale"]),
        "human_review": text["human_oversight"],
        "required_training": NOT_RECORDED,
        "appeals_and_review": text["how_to_complain"],
        "system_architecture": _or(entry["technique"]),
        "system_level_input": text["data_used"],
        "system_level_output": _or(entry["summary"]),
        "maintenance": _maintenance(entry),
        "models": _or(entry["model"], entry["technique"]),
        "impact_assessment": text["impact_assessments"],
        "risks_and_mitigations": _or(entry["residual_risks"]),
    }


def _maintenance(entry):
    parts = []
    if entry["last_review_on"]:
        parts.append(f"Last reviewed and approved by the Responsible AI Committee on {entry['last_review_on']}.")
    if entry["next_review_due"]:
        parts.append(f"Next review due by {entry['next_review_due']}.")
    parts.append("Any material change (a new model, new data or a new audience) needs a new assessment first.")
    return " ".join(parts)


def publication_category(entry):
    if entry["article_27_applies"]:
        return NL_HIGH_RISK
    if any(a["id"] == "clients" for a in entry["audience"]):
        return NL_IMPACTFUL
    return NL_OTHER


def shorten(value, limit):
    """``value`` if shorter than ``limit`` characters, else cut at a word and marked as shortened."""
    if len(value) < limit:
        return value
    room = limit - 1 - len(SHORTENED)
    return value[:room].rsplit(" ", 1)[0] + SHORTENED


def algoritmeregister_record(entry):
    """One record of the Dutch publication standard 1.0, with the register API's English keys."""
    text = entry["register_text"]
    record = {
        "name": entry["feature"],
        "description_short": _or(entry["summary"], entry["disclosure"]),
        "organization": settings.REGISTER_ORGANISATION,
        "category": [NL_CATEGORY],
        "status": NL_STATUS[entry["status"]],
        "begin_date": entry["launched_on"][:7] if entry["launched_on"] else None,
        "end_date": None,
        "contact_email": text["contact_email"],
        "publication_category": publication_category(entry),
        "url": f"{settings.SITE_URL}/register.json",
        "goal": shorten(_or(entry["disclosure"], entry["purpose"]), NL_LIMITS["goal"]),
        "proportionality": shorten(_or(entry["alternatives"], entry["benefits"]), NL_LIMITS["proportionality"]),
        "human_intervention": shorten(text["human_oversight"], NL_LIMITS["human_intervention"]),
        "risks": shorten(_or(entry["residual_risks"]), NL_LIMITS["risks"]),
        "impacttoetsen_grouping": [{"title": title} for title in entry["impact_assessment_titles"]],
        "impacttoetsen": shorten(text["impact_assessments"], NL_LIMITS["impacttoetsen"]),
        "source_data": shorten(text["data_used"], NL_LIMITS["source_data"]),
        "methods_and_models": shorten(
            " ".join(p for p in (entry["technique"], entry["model"]) if p) or NOT_RECORDED,
            NL_LIMITS["methods_and_models"],
        ),
        "provider": text["supplier"] or IN_HOUSE_NL,
        # Our register's text is English; the standard's fixed value is "nld" (docs/standards.md says why).
        "lang": "eng",
        "standard_version": "1.0",
        "source_id": f"feature-{entry['feature_id']}",
    }
    if settings.SITE_URL.startswith("https://"):
        record["website"] = f"{settings.SITE_URL}/register/"
    return record


def algoritmeregister_problems(record):
    """Why a Dutch record may not be published: ``[(field, message)]``; mandatory fields and length limits."""
    problems = []
    for key in NL_MANDATORY:
        if not record.get(key):
            problems.append((key, f"The Dutch register does not publish a record without {key}."))
    for key, limit in NL_LIMITS.items():
        value = record.get(key) or ""
        if len(value) >= limit:
            problems.append(
                (key, f"{key} is {len(value)} characters long; the Dutch register allows fewer than {limit}.")
            )
    return problems


def atrs_document(entries):
    return {
        "standard": "UK Algorithmic Transparency Recording Standard",
        "version": "4.0",
        "records": [atrs_record(e) for e in entries],
    }


def algoritmeregister_document(entries):
    return {
        "standard": "Algoritmeregister publicatiestandaard",
        "version": "1.0",
        "algorithms": [algoritmeregister_record(e) for e in entries],
    }


CSV_COLUMNS = (
    "feature",
    "team",
    "version",
    "status",
    "under_review",
    "disclosure",
    "audience",
    "what_it_does_not_do",
    "contact_email",
    "senior_responsible_owner",
    "supplier",
    "data_used",
    "human_oversight",
    "how_to_complain",
    "impact_assessments",
    "approved_on",
    "launched_on",
    "last_review_on",
    "next_review_due",
)


def register_csv(entries):
    """The register as CSV, one row per feature with published text; cells that could run as formulas quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        text = entry["register_text"]
        row = {
            **{k: entry[k] for k in ("feature", "team", "version", "status", "disclosure", "what_it_does_not_do")},
            "under_review": "yes" if entry["under_review"] else "no",
            "audience": "; ".join(a["label"] for a in entry["audience"]),
            **{
                k: text[k]
                for k in (
                    "contact_email",
                    "senior_responsible_owner",
                    "supplier",
                    "data_used",
                    "human_oversight",
                    "how_to_complain",
                    "impact_assessments",
                )
            },
            **{k: entry[k] or "" for k in ("approved_on", "launched_on", "last_review_on", "next_review_due")},
        }
        writer.writerow([inert(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()
