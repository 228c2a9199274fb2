"""Every change to an assessment's bias evidence: results with their provenance, justifications, mitigations
(DESIGN section 5). ``assessments.services`` re-exports the services.

Each function locks the assessment, checks who may and when, validates all input
before writing anything, and writes the audit log in the same transaction. Audit
entries carry the full data of the rows they create (every result row with its id,
the batch with its provenance; each mitigation with its author, time, text and flag),
so that the tables can be checked against the log.

``evidence`` says who may add evidence and when; ``results`` adds results and raises
monitoring flags; ``notes`` records justifications and mitigations; ``flags`` reads the
flags back. This package re-exports the names callers use; its modules import each
other directly, never this package.
"""

from ..states import BIAS_EVIDENCE_STATES
from .evidence import bias_evidence_check, evidence_kind_in
from .flags import bias_flags_of, flags_with_notes
from .notes import bias_justification_record, bias_mitigation_record, bias_mitigations_record
from .results import DESCRIPTION_NEEDED, DIMENSION, MAX_BIAS_ROWS, MAX_DESCRIPTION, bias_results_add

__all__ = [
    "BIAS_EVIDENCE_STATES",
    "DESCRIPTION_NEEDED",
    "DIMENSION",
    "MAX_BIAS_ROWS",
    "MAX_DESCRIPTION",
    "bias_evidence_check",
    "bias_flags_of",
    "bias_justification_record",
    "bias_mitigation_record",
    "bias_mitigations_record",
    "bias_results_add",
    "evidence_kind_in",
    "flags_with_notes",
]
