"""The hash of the bias evidence a signer saw, bound to each sign-off (DESIGN sections 3 and 5).

Bias evidence is not part of the answers' content hash: adding evidence must not
invalidate the other domains' sign-offs. Each sign-off records this second hash
beside the content hash instead, so a dossier and the audit log show exactly
which evidence (per-group results, mitigation notes, justifications of missing
dimensions) every signer had before them.
"""

import hashlib

from . import canonical


def evidence_hash_of(assessment):
    """SHA-256 (hex) over RFC 8785 JSON of the approval evidence, mitigations and justifications, in a fixed order."""
    results = sorted(
        [
            list(row)
            for row in assessment.bias_results.filter(kind="approval").values_list(
                "dimension", "group", "sample_size", "metric", "value"
            )
        ],
        key=repr,
    )
    mitigations = sorted(
        [list(row) for row in assessment.bias_mitigations.filter(kind="approval").values_list("flag", "text")]
    )
    justifications = sorted([list(row) for row in assessment.bias_justifications.values_list("dimension", "text")])
    evidence = {"results": results, "mitigations": mitigations, "justifications": justifications}
    return hashlib.sha256(canonical.dumps(evidence)).hexdigest()
