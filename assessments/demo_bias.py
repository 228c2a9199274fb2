"""The demo's bias evidence: per-group results with the groups people describe themselves by, and one file of
raw predictions whose error rates differ by language, so the demo shows a lower-is-better metric's
disadvantaged group named the right way round (DESIGN sections 5 and 10)."""

from . import bias_upload, services

# Per dimension, the groups as clients described themselves at intake, with a plausible share of each.
GROUPS = {
    "race": [("Asian", 310), ("Black", 402), ("Hispanic or Latino", 388), ("White", 1105), ("Multiracial", 131)],
    "religion": [("Christian", 866), ("Jewish", 118), ("Muslim", 97), ("No religion", 1012), ("Another religion", 243)],
    "gender": [("Woman", 1387), ("Man", 858), ("Non-binary", 91)],
    "language": [("English", 1914), ("Spanish", 422)],
    "sexual_orientation": [("Heterosexual", 1680), ("Gay or lesbian", 301), ("Bisexual", 355)],
    "age": [("18 to 29", 702), ("30 to 49", 1086), ("50 to 64", 398), ("65 and over", 150)],
}
MATCH_DESCRIPTION = (
    "Therapist-matching model v2.3 on matches offered 1 March to 31 May 2026 (2,336 clients who finished "
    "intake). Groups as clients described themselves on the intake form; those who chose not to say are left out."
)
INTAKE_RESULTS_DESCRIPTION = (
    "Intake-summary model v1.4 on intakes from 1 April to 30 June 2026 (2,336 clients): share of summaries the "
    "coordinator accepted without edits. Groups as clients described themselves on the intake form."
)
TRIAGE_DESCRIPTION = (
    "Urgent-follow-up flag of the intake-summary model v1.4, April to June 2026: 700 intakes double-read by a "
    "clinician (y_true: the clinician judged it urgent; y_pred: the model flagged it). Language is the language "
    "the intake was written in; gender as the client described it."
)
TRIAGE_MITIGATION = (
    "Spanish-language intakes are flagged urgent four times as often without need. Until the retrained model "
    "(v1.5, trained with 1,200 more Spanish intakes) passes, every urgent flag on a Spanish intake is confirmed "
    "by a bilingual clinician within 4 hours, and the false-positive rate per language is reported monthly."
)


def results(dimensions, *, metric, level, spread):
    """Per-group results: each group's value a little apart from the others', over realistic group sizes."""
    rows = []
    for dimension in dimensions:
        for index, (group, n) in enumerate(GROUPS[dimension]):
            value = round(level - spread * ((index * 7) % 5) / 4, 3)
            rows.append({"dimension": dimension, "group": group, "n": n, "metric": metric, "value": value})
    return rows


NOTES_DESCRIPTION = (
    "Note-drafting model v0.9 in the pilot, 1 to 30 September 2026: share of drafts the therapist kept with minor "
    "edits, 14 pilot therapists, 1,906 sessions. Client groups from the intake form; only 24 sessions were with "
    "non-binary clients in the pilot."
)


def notes_results():
    """The pilot's results: a group too small to judge (24 sessions), which the team must answer."""
    rows = results(["race", "religion", "gender"], metric="accuracy", level=0.88, spread=0.06)
    for row in rows:
        if row["group"] == "Non-binary":
            row["n"] = 24
    return rows


def triage_predictions_csv():
    """700 double-read intakes. English: 400, half urgent; the model finds 85% of urgent ones and flags 10% of
    the others. Spanish: 300, 30 urgent; it finds 25 of them but flags 40% of the others (108 of 270), so the
    false-positive rate is 0.40 against 0.10 while selection rates stay within four-fifths."""
    outcomes = {
        "English": [(1, 1)] * 170 + [(1, 0)] * 30 + [(0, 1)] * 20 + [(0, 0)] * 180,
        "Spanish": [(1, 1)] * 25 + [(1, 0)] * 5 + [(0, 1)] * 108 + [(0, 0)] * 162,
    }
    lines = ["y_true,y_pred,language,gender"]
    for language, pairs in outcomes.items():
        for index, (truth, predicted) in enumerate(pairs):
            lines.append(f"{truth},{predicted},{language},{('Woman', 'Man')[index % 2]}")
    return ("\r\n".join(lines) + "\r\n").encode()


def add_triage_predictions(assessment, by):
    """Upload the raw predictions as a team would (fairlearn computes the rates); returns the saved rows."""
    parsed = bias_upload.parse_csv(triage_predictions_csv(), name="urgent-flag-double-read-2026Q2.csv")
    assert parsed.ok, parsed.errors  # noqa: S101 (the demo's own file)
    return services.bias_results_add(
        assessment=assessment, rows=parsed.rows, by=by, description=TRIAGE_DESCRIPTION, **parsed.provenance()
    )


def mitigate_every_flag(assessment, by, text_for):
    """Record a mitigation note for every open flag of the approval evidence: ``text_for(flag)`` writes it."""
    notes = {f["key"]: text_for(f) for f in services.bias_flags_of(assessment) if not f["mitigated"]}
    if notes:
        services.bias_mitigations_record(assessment=assessment, notes=notes, by=by)
