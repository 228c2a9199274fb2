"""A sign-off's manifestation as people read it: who signed, when (UTC), what it means, for whom they acted.

The sign-off stores structured values (``signer_name``, ``signer_username``, ``decision`` as the meaning,
``stage`` as the domain, ``created_at``, ``delegation``); the page, the API and the dossier render them through
this module alone, so the sentence reads the same wherever it leaves the system.
"""

from datetime import UTC, datetime

from accounts import roles

MEANINGS = {
    "approved": "Approved",
    "changes_requested": "Changes requested",
    "rejected": "Rejected",
}


def meaning_text(decision, stage):
    """'Approved as Legal reviewer', 'Changes requested as Security reviewer', 'Rejected as ...'."""
    return f"{MEANINGS.get(decision, decision)} as {roles.DOMAIN_LABELS.get(stage, stage)} reviewer"


def signer_text(sign_off):
    """'Lena Legal (legal)': the name as it was when they signed, and the username."""
    username = sign_off.signer_username or sign_off.reviewer.get_username()
    name = sign_off.signer_name or sign_off.reviewer.get_full_name().strip()
    return f"{name} ({username})" if name else username


def utc_text(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def acting_for_text(delegation):
    """'acting for Legal, delegated by Chris Chair until 2026-12-31 17:00 UTC', or '' without a delegation."""
    if delegation is None:
        return ""
    chair = delegation.delegated_by
    by = chair.get_full_name().strip() or chair.get_username()
    until = delegation.until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"acting for {roles.DOMAIN_LABELS.get(delegation.domain, delegation.domain)}, delegated by {by} until {until}"
    )


def acting_until_text(delegation):
    """'acting for Legal until 2026-12-31 17:00 UTC': a delegate's queue row, notice or page heading."""
    until = delegation.until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"acting for {roles.DOMAIN_LABELS.get(delegation.domain, delegation.domain)} until {until}"


def recorded_acting_for_text(details):
    """The same sentence from what an audit entry recorded of the delegation (``details["acting_for"]``, written by
    ``accounts.delegation.delegation_record``): the chair's username, the end as it stood when the delegate acted."""
    record = details.get("acting_for") if isinstance(details, dict) else None
    if not isinstance(record, dict):
        return ""
    domain = record.get("domain", "")
    try:
        until = datetime.fromisoformat(str(record.get("until"))).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        until = str(record.get("until"))
    label = roles.DOMAIN_LABELS.get(domain, domain)
    return f"acting for {label}, delegated by {record.get('delegated_by', '')} until {until}"


def manifestation(sign_off):
    """The sentences of one sign-off's manifestation: ``signer``, ``meaning``, ``signed_at``, ``acting_for``."""
    return {
        "signer": signer_text(sign_off),
        "meaning": meaning_text(sign_off.decision, sign_off.stage),
        "signed_at": utc_text(sign_off.created_at),
        "acting_for": acting_for_text(sign_off.delegation),
    }


def manifestation_line(sign_off):
    """One line: 'Approved as Legal reviewer by Lena Legal (legal) at 2026-12-07 14:03:00 UTC[, acting for ...]'."""
    shown = manifestation(sign_off)
    line = f"{shown['meaning']} by {shown['signer']} at {shown['signed_at']}"
    return f"{line}, {shown['acting_for']}" if shown["acting_for"] else line
