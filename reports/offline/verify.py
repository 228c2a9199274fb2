#!/usr/bin/env python3
"""Check an audit package of AI impact assessment dossiers on any machine, without the system that issued them.

    python -m venv venv && venv/bin/pip install pyhanko==0.38.0 cryptography==50.0.2
    venv/bin/python verify.py [PACKAGE_FOLDER]        (default: the folder this file is in)

Needs only pyHanko and cryptography. It checks that manifest.json is signed (manifest.json.sig) by one of the
audit public keys in audit-public-keys.pem; that checkpoint.json and every dossier's audit checkpoint are signed
by one of those keys; and, for every file the manifest lists, that its SHA-256 is the manifest's, that its PAdES
signature is intact, covers the whole file (long-term validation data aside) and validates with one of the
certificates in certificates/signing/, that the assessment.json embedded in it is, byte for byte, the one beside
it and the one the manifest names, and that it describes the assessment and version the manifest says. It prints
one line per check and exits with status 1 if anything fails, 0 when everything holds.

Compare the audit key ids and certificate fingerprints it prints with the ones the organisation publishes: the
package proves that its files agree with these keys, not who holds them.
"""

import base64
import hashlib
import io
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

ATTACHMENT_NAME = "assessment.json"
CHECKPOINT_TYPE = "raia.audit.checkpoint.v1"


class Checks:
    def __init__(self):
        self.failed = 0

    def report(self, ok, subject, message):
        if not ok:
            self.failed += 1
        print(f"{'OK  ' if ok else 'FAIL'} {subject}: {message}")


def key_id_of(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def audit_keys(folder):
    keys = {}
    text = (folder / "audit-public-keys.pem").read_bytes()
    for block in text.split(b"-----END PUBLIC KEY-----"):
        if b"-----BEGIN PUBLIC KEY-----" in block:
            pem = block[block.index(b"-----BEGIN PUBLIC KEY-----") :] + b"-----END PUBLIC KEY-----\n"
            key = serialization.load_pem_public_key(pem)
            if isinstance(key, Ed25519PublicKey):
                keys[key_id_of(key)] = key
    return keys


def canonical(statement):
    # RFC 8785 for an object of ASCII keys, strings and integers: sorted keys, no spaces, JSON string escapes.
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def checkpoint_problem(checkpoint, keys):
    """Why the checkpoint is not signed by one of ``keys``, or None when it is."""
    if not isinstance(checkpoint, dict) or not all(
        k in checkpoint for k in ("seq", "hash", "signed_at", "key_id", "signature")
    ):
        return "it is not a signed checkpoint (no audit key signed it)"
    key = keys.get(checkpoint["key_id"])
    if key is None:
        return f"it is signed by audit key {checkpoint['key_id']}, which is not in audit-public-keys.pem"
    statement = {
        "type": CHECKPOINT_TYPE,
        "seq": checkpoint["seq"],
        "hash": checkpoint["hash"],
        "signed_at": checkpoint["signed_at"],
        "key_id": checkpoint["key_id"],
    }
    try:
        key.verify(base64.b64decode(checkpoint["signature"], validate=True), canonical(statement))
    except (InvalidSignature, ValueError, TypeError):
        return "its signature does not match it"
    return None


def embedded_file(reader, name):
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return None
    for index in range(0, len(names) - 1, 2):
        if str(names[index]) == name:
            return names[index + 1].get_object()["/EF"]["/F"].get_object().data
    return None


def certificates_in(folder):
    found = []
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        found.append(load_cert_from_pemder(str(path)))
    return found


def check_signature(reader, signing_roots, tsa_roots):
    """``(problems, description)`` of the PDF's first signature."""
    signatures = reader.embedded_signatures
    if not signatures:
        return ["it carries no signature"], ""
    status = validate_pdf_signature(
        signatures[0],
        ValidationContext(trust_roots=signing_roots, allow_fetching=False),
        ValidationContext(trust_roots=tsa_roots, allow_fetching=False),
    )
    problems = []
    if not status.intact:
        problems.append("its signature no longer matches its bytes (the file was changed)")
    elif not (status.valid and status.trusted):
        problems.append("its signature does not validate with the package's signing certificates")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
    )
    if not whole:
        problems.append("something was added to it after it was signed")
    cert = status.signing_cert
    description = f"signed by {cert.subject.human_friendly} (SHA-256 {cert.sha256.hex()})" if cert else ""
    stamp = status.timestamp_validity
    if stamp is not None and stamp.valid and stamp.trusted:
        description += f", timestamped {stamp.timestamp.isoformat()}"
    else:
        description += ", no trusted timestamp"
    return problems, description


def check_dossier(folder, entry, keys, signing_roots, tsa_roots):
    """Every problem with one manifest entry, and what holds, in words."""
    path = folder / entry["file"]
    if not path.is_file():
        return [f"{entry['file']} is missing"], ""
    content = path.read_bytes()
    problems = []
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        problems.append("its SHA-256 is not the manifest's")
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        signature_problems, description = check_signature(reader, signing_roots, tsa_roots)
        embedded = embedded_file(reader, ATTACHMENT_NAME)
    except Exception as error:  # noqa: BLE001 - an unreadable file is a failed check
        return [*problems, f"it cannot be read as a signed PDF ({error})"], ""
    problems += signature_problems
    beside = folder / entry["assessment_json"]
    if embedded is None:
        problems.append(f"it holds no {ATTACHMENT_NAME}")
    else:
        if hashlib.sha256(embedded).hexdigest() != entry["assessment_json_sha256"]:
            problems.append(f"its {ATTACHMENT_NAME} is not the one the manifest names")
        if not beside.is_file() or beside.read_bytes() != embedded:
            problems.append(f"its {ATTACHMENT_NAME} differs from {entry['assessment_json']}")
        data = json.loads(embedded)
        said = (data["assessment"]["id"], data["assessment"]["version"], data["document_id"])
        if said != (entry["assessment"], entry["version"], entry["document_id"]):
            problems.append("it describes another assessment, version or document than the manifest says")
        if data.get("audit_checkpoint") != entry["checkpoint"]:
            problems.append("its audit checkpoint is not the manifest's")
        reason = checkpoint_problem(data.get("audit_checkpoint"), keys)
        if reason:
            problems.append(f"its audit checkpoint: {reason}")
    return problems, (
        f"assessment {entry['assessment']} v{entry['version']}, {entry['decision']}; {description}; "
        f"checkpoint entry {entry['checkpoint'].get('seq')} signed"
    )


def main(argv):
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    checks = Checks()
    keys = audit_keys(folder)
    manifest_bytes = (folder / "manifest.json").read_bytes()
    seal = json.loads((folder / "manifest.json.sig").read_text())
    key = keys.get(seal.get("key_id"))
    try:
        if key is None:
            raise InvalidSignature
        key.verify(base64.b64decode(seal["signature"], validate=True), manifest_bytes)
        checks.report(True, "manifest.json", f"signed by audit key {seal['key_id']}")
    except (InvalidSignature, ValueError, TypeError, KeyError):
        checks.report(False, "manifest.json", "its signature does not validate with audit-public-keys.pem")
    manifest = json.loads(manifest_bytes)

    checkpoint = json.loads((folder / "checkpoint.json").read_text())
    reason = checkpoint_problem(checkpoint, keys)
    signed = reason or f"entry {checkpoint['seq']}, signed by audit key {checkpoint['key_id']}"
    checks.report(reason is None, "checkpoint.json", signed)

    signing_roots = certificates_in(folder / "certificates" / "signing")
    tsa_roots = certificates_in(folder / "certificates" / "tsa")
    for entry in manifest["files"]:
        problems, description = check_dossier(folder, entry, keys, signing_roots, tsa_roots)
        checks.report(not problems, entry["file"], "; ".join(problems) if problems else description)
    listed = {entry["file"] for entry in manifest["files"]}
    for path in sorted((folder / "dossiers").glob("*.pdf")):
        relative = path.relative_to(folder).as_posix()
        if relative not in listed:
            checks.report(False, relative, "it is not in the manifest")
    print(f"{'All checks hold' if not checks.failed else f'{checks.failed} check(s) failed'}.")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
