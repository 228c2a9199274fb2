"""The machine-readable dossier: ``assessment.json``, embedded in every dossier (a PDF/A-3 associated file).

``record_data`` turns a ``DossierRecord`` (reports/dossier.py) into the data
programs read; ``data_bytes`` gives its exact bytes.
"""

import json

from django.conf import settings

from accounts import roles
from assessments import canonical
from assessments.coverage import coverage, maps_beyond_nist

from .dossier import DATA_FORMAT, nist_texts
from .dossier_bias import bias_record_data


def _ts(moment):
    return canonical.timestamp(moment) if moment else None


def record_data(record):
    """The machine-readable assessment, as embedded in the dossier (``assessment.json``)."""
    a = record.assessment
    source, _ = nist_texts()
    return {
        "format": DATA_FORMAT,
        "document_id": record.document_id,
        "draft": record.draft,
        # approved (an approval dossier), rejected or withdrawn (a decision record), or the state of a draft.
        "decision": record.state,
        "template_version": record.template_version,
        "issuer": settings.DOSSIER_ISSUER,
        "issued_at": _ts(record.issued_at),
        "as_of": _ts(record.as_of),
        # The signed checkpoint, exactly as verify_audit_log --checkpoint reads it.
        "audit_checkpoint": record.checkpoint,
        "assessment": {
            "id": a.pk,
            "feature": {"id": a.feature_id, "name": a.feature.name, "owner": a.feature.owner.get_username()},
            "team": {"slug": a.feature.team.slug, "name": a.feature.team.name},
            "version": a.version,
            "state": record.state,
            "questionnaire_version": a.questionnaire_version,
            "review_round": a.review_round,
            "content_hash": a.content_hash,
            "risk_level": a.risk_level,
            "risk_score": a.risk_score,
            "created_at": _ts(a.created_at),
            "submitted_at": _ts(a.submitted_at),
            "decided_at": _ts(a.decided_at) if (a.decided_at and a.decided_at <= record.as_of) else None,
            "answers": a.answers,
        },
        "sign_offs": [
            {
                "id": s.pk,
                "stage": s.stage,
                "role": roles.DOMAIN_LABELS.get(s.stage, s.stage),
                "review_round": s.review_round,
                "reviewer": s.reviewer.get_username(),
                "reviewer_name": s.reviewer.get_full_name(),
                "decision": s.decision,
                "comment": s.comment,
                "content_hash": s.content_hash,
                # The bias evidence, mitigations and justifications the signer saw (assessments/evidence_hash.py).
                "evidence_hash": s.evidence_hash,
                "created_at": _ts(s.created_at),
                "invalidated_at": _ts(s.invalidated_at),
                "invalidated_reason": s.invalidated_reason,
                # What the signature means (21 CFR 11.50), as recorded when it was made.
                "manifestation": s.manifestation_record(),
            }
            for s in record.sign_offs
        ],
        "conditions": [
            {
                "id": c.pk,
                "sign_off_id": c.sign_off_id,
                "text": c.text,
                "owner": c.owner.get_username(),
                "due_date": c.due_date.isoformat() if c.due_date else None,
                "before_launch": c.before_launch,
                "status": c.status,
                "closed_at": _ts(c.closed_at),
                "created_at": _ts(c.created_at),
                # The team's evidence that it is met (text or a link, and a file by its name and SHA-256).
                "evidence": c.evidence,
                "evidence_file": {
                    "name": c.evidence_file_name,
                    "content_type": c.evidence_file_type,
                    "size": c.evidence_file_size,
                    "sha256": c.evidence_file_sha256,
                }
                if c.has_evidence_file
                else None,
            }
            for c in record.conditions
        ],
        "question_comments": [
            {
                "id": c.pk,
                "question": c.question,
                "review_round": c.review_round,
                "role": c.role,
                "stage": c.stage,
                "author": c.author.get_username(),
                "reply_to": c.reply_to_id,
                "text": c.text,
                "created_at": _ts(c.created_at),
                "shared_at": _ts(c.shared_at),
                "change_request_sign_off_id": c.sign_off_id,
            }
            for c in record.question_comments
        ],
        **bias_record_data(record),
        "nist_ai_rmf": {
            "source": source,
            "covered": record.questionnaire.nist_coverage(a.answers),
        },
        # Questionnaires from version 2 on map to ISO/IEC 42005 and Article 27; version-1 records keep their shape.
        **(
            {"framework_coverage": [f.as_data() for f in coverage(record.questionnaire, a.answers)]}
            if maps_beyond_nist(record.questionnaire)
            else {}
        ),
        "audit_trail": [
            {
                "seq": e.seq,
                "action": e.action,
                "transition": e.transition,
                "actor": e.actor_username,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": None if e.seq in record.withheld_seqs else e.comment,
                "content_hash": e.content_hash,
                "details": e.details,
                "created_at": _ts(e.created_at),
                "prev_hash": e.prev_hash,
                "entry_hash": e.entry_hash,
            }
            for e in record.entries
        ],
    }


def data_bytes(data):
    # ASCII escapes keep any character (even a lone surrogate) readable back as the same string.
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False).encode("ascii")
