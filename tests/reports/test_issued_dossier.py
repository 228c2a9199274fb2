"""The issued dossier of an approved assessment, read back as a program and a regulator would.

Rendering is real here (WeasyPrint and pyHanko): one dossier is issued for the module's tests (``issued``), and
one more for a feature named with a control character.
"""

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, TestCase
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from accounts import roles
from assessments import canonical
from assessments.models import Assessment, AuditEntry, SignOff, State
from assessments.questionnaire import get_questionnaire
from reports.dossier import ATTACHMENT_NAME
from reports.models import Dossier, DossierDownload

from ..factories import make_people
from .conftest import page_texts, pdf_reader, rich_approved

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(scope="module")
def issued_once(module_db):
    """A rich approved assessment whose dossier the approval's task issued, and its bytes as first downloaded:
    made once for this module's tests (issuing renders and signs for seconds); each test starts from it."""

    def make():
        from config.celery import app

        people = make_people()
        propagates, app.conf.task_eager_propagates = app.conf.task_eager_propagates, True
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                assessment = rich_approved(people)
        finally:
            app.conf.task_eager_propagates = propagates
        dossier = Dossier.objects.get(assessment=assessment)
        assert dossier.is_issued, "the approval's task issued the dossier"
        auditor = Client()
        auditor.force_login(people.auditor)
        response = auditor.get(reverse("dossier_pdf", args=[assessment.pk]))
        assert response.status_code == 200
        return assessment.pk, dossier.pk, response.content

    return module_db(make)


@pytest.fixture
def issued(issued_once, module_db, db, settings):
    """``(assessment, dossier, bytes as first downloaded)``, read afresh for this test, with the dossier's file."""
    assessment_id, dossier_id, content = issued_once
    module_db.dossier_files_into(settings)
    return Assessment.objects.get(pk=assessment_id), Dossier.objects.get(pk=dossier_id), content


def normalise(text):
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).replace("- ", "-")


def test_the_dossier_holds_the_feature_every_sign_off_and_every_question(issued):
    assessment, dossier, content = issued
    pages = page_texts(content)
    text = normalise(" ".join(pages))

    assert assessment.feature.name in text
    sign_offs = SignOff.objects.filter(assessment=assessment).select_related("reviewer")
    assert sign_offs.count() == 5
    for sign_off in sign_offs:
        assert f"{roles.DOMAIN_LABELS[sign_off.stage]} reviewer" in text
        assert sign_off.reviewer.get_username() in text
        assert sign_off.reviewer.get_full_name() in text
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    visible = questionnaire.visible_answers(assessment.answers)
    for question in questionnaire.questions.values():
        if question.id in visible:
            assert normalise(question.text) in text, question.text
    assert "Rotate the vendor keys quarterly." in text
    assert "Flagged: under 0.8" in text  # the age ratio 0.40 / 0.62
    assert "Matching widened for clients over 65; re-measured monthly." in text  # its mitigation
    assert "<b>bold</b> stays text" in text  # user text is escaped, not markup
    # Table headers repeat on every page a table runs onto: each page with NIST rows has the NIST header.
    nist_pages = [p for p in pages if re.search(r"^(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+ ", p, re.MULTILINE)]
    assert len(nist_pages) >= 3
    assert all("ADDRESSED BY THE ANSWERS TO" in p for p in nist_pages)
    # Every page names the document and says where it is in it; none says DRAFT.
    for number, page in enumerate(pages, start=1):
        assert dossier.document_id in page
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT" not in page


def test_the_signed_dossier_is_still_pdf_1_7_and_pdf_a_3a_with_its_metadata(issued):
    assessment, dossier, content = issued
    reader = pdf_reader(content)
    root = reader.trailer["/Root"]

    # Signing added an incremental update only; header and catalog still say PDF 1.7 (no ISO 32002 bump).
    assert content.startswith(b"%PDF-1.7")
    assert str(root.get("/Version", "/1.7")) == "/1.7"
    extensions = root.get("/Extensions", {})
    assert set(extensions) <= {"/ESIC"}, "only the PAdES extension of PDF 1.7 is declared"
    assert content.count(b"%%EOF") == 2, "the signature is one incremental update of the rendered file"
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer

    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)A', xmp)
    # Tagged: a structure tree with headings, table headers and the document's language.
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert str(root["/Lang"]) == "en-GB"
    tags = structure_tags(root["/StructTreeRoot"].get_object())
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/P"} <= tags
    info = reader.metadata
    assert info["/Title"] == f"AI Impact Assessment dossier: {assessment.feature.name} v{assessment.version}"
    assert info["/Author"] == settings.DOSSIER_ISSUER
    assert dossier.document_id in info["/Subject"]
    assert dossier.document_id in info["/Keywords"]
    # PDF/A: what the information dictionary says, the XMP says too.
    for key in ("/Title", "/Author", "/Producer"):
        assert str(info[key]) in xmp, key
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 595.28) < 1 and abs(float(page.mediabox.height) - 841.89) < 1  # A4
    assert "/OutputIntents" in root
    # The embedded assessment.json is the catalog's associated file (PDF/A-3), related as its data.
    associated = [spec.get_object() for spec in root["/AF"]]
    assert [(str(s["/F"]), s["/AFRelationship"]) for s in associated] == [(ATTACHMENT_NAME, "/Data")]


def structure_tags(node, seen=None):
    """Every structure type (``/S``) under a structure tree node, read back from the PDF."""
    seen = set() if seen is None else seen
    kids = node.get("/K")
    if kids is None:
        return seen
    kids = kids.get_object()
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and "/S" in kid:
            seen.add(str(kid["/S"]))
            structure_tags(kid, seen)
    return seen


def test_assessment_json_is_attached_and_equals_the_database(issued):
    assessment, dossier, content = issued
    reader = pdf_reader(content)
    root = reader.trailer["/Root"]

    assert list(reader.attachments) == [ATTACHMENT_NAME]
    data = json.loads(reader.attachments[ATTACHMENT_NAME][0])
    associated = [spec.get_object() for spec in root["/AF"]]
    assert [(str(s["/F"]), s["/AFRelationship"]) for s in associated] == [(ATTACHMENT_NAME, "/Data")]

    assessment.refresh_from_db()
    assert data["document_id"] == dossier.document_id and data["draft"] is False
    record = data["assessment"]
    assert record["id"] == assessment.pk
    assert record["answers"] == assessment.answers
    assert record["state"] == State.APPROVED
    assert record["content_hash"] == assessment.content_hash
    assert record["risk_score"] == assessment.risk_score
    assert record["decided_at"] == canonical.timestamp(assessment.decided_at)
    assert [(s["stage"], s["reviewer"], s["decision"], s["content_hash"]) for s in data["sign_offs"]] == [
        (s.stage, s.reviewer.username, s.decision, s.content_hash)
        for s in assessment.sign_offs.order_by("review_round", "created_at", "pk")
    ]
    assert [(c["text"], c["owner"], c["before_launch"], c["status"]) for c in data["conditions"]] == [
        (c.text, c.owner.username, c.before_launch, c.status)
        for c in assessment.conditions.order_by("created_at", "pk")
    ]
    assert sorted((b["dimension"], b["group"], b["value"]) for b in data["bias_results"]) == sorted(
        assessment.bias_results.values_list("dimension", "group", "value")
    )
    # Up to the approval: the downloads after it are audit entries too, but not part of what was approved.
    entries = list(
        AuditEntry.objects.filter(assessment_id=assessment.pk, seq__lte=dossier.approval_seq).order_by("seq")
    )
    assert [(e["seq"], e["entry_hash"]) for e in data["audit_trail"]] == [(e.seq, e.entry_hash) for e in entries]
    assert data["audit_checkpoint"] == dossier.checkpoint
    # The checkpoint is the chain's head at the approval: the approval's own audit entry.
    assert (data["audit_checkpoint"]["seq"], data["audit_checkpoint"]["hash"]) == (
        entries[-1].seq,
        entries[-1].entry_hash,
    )


def test_downloads_are_the_stored_bytes_signed_and_a_changed_byte_breaks_the_signature(issued, people, login):
    assessment, dossier, first = issued
    second = login(people.chair).get(reverse("dossier_pdf", args=[assessment.pk])).content
    dossier.refresh_from_db()

    assert first == second
    assert dossier.sha256 == canonical_sha(first)
    assert DossierDownload.objects.filter(assessment=assessment, draft=False, sha256=dossier.sha256).count() == 2

    context = ValidationContext(trust_roots=[load_cert_from_pemder(settings.DOSSIER_SIGNING_CERT)])
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(first)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"

    # One byte of the page content changed: the signature no longer holds.
    position = first.index(b"stream", 2000) + 40
    tampered = first[:position] + bytes([first[position] ^ 0x01]) + first[position + 1 :]
    broken = validate_pdf_signature(PdfFileReader(io.BytesIO(tampered)).embedded_signatures[0], context)
    assert not broken.intact


def test_pyhanko_sign_validate_says_valid_and_invalid_after_one_byte(issued, tmp_path):
    cli = Path(sys.executable).parent / "pyhanko"
    if not cli.exists():
        pytest.skip("pyhanko-cli is not installed")
    _, _, content = issued
    position = content.index(b"stream", 2000) + 40
    good, bad = tmp_path / "dossier.pdf", tmp_path / "changed.pdf"
    good.write_bytes(content)
    bad.write_bytes(content[:position] + bytes([content[position] ^ 0x01]) + content[position + 1 :])

    def validate(path):
        command = [str(cli), "sign", "validate", "--trust", settings.DOSSIER_SIGNING_CERT, "--trust-replace"]
        command += ["--no-revocation-check", "--executive-summary", str(path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    valid, invalid = validate(good), validate(bad)
    assert valid.returncode == 0 and valid.stdout.strip().endswith(":VALID"), valid.stderr
    assert invalid.returncode != 0 and invalid.stdout.strip().endswith(":INVALID")


def canonical_sha(content):
    import hashlib

    return hashlib.sha256(content).hexdigest()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_a_page_of_the_demo_dossier_is_saved_as_png_for_people_to_look_at(issued):
    _, dossier, content = issued
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "dossier-sample.pdf"
    pdf_path.write_bytes(content)
    for stale in ARTIFACTS.glob("dossier-sample-page*.png"):
        stale.unlink()

    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "3", str(pdf_path), str(ARTIFACTS / "dossier-sample-page")],
        check=True,
        timeout=60,
    )

    pages = sorted(ARTIFACTS.glob("dossier-sample-page*.png"))
    assert len(pages) == 3
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 10_000 for p in pages)


def test_the_dossier_carries_the_signed_audit_checkpoint_of_its_approval(issued, tmp_path):
    from assessments import signing
    from tests.audit_tools import verify

    assessment, dossier, content = issued
    data = json.loads(pdf_reader(content).attachments[ATTACHMENT_NAME][0])
    checkpoint = data["audit_checkpoint"]

    # The head when the approval committed: the approval's own entry, signed with the audit log's key.
    approval = AuditEntry.objects.get(assessment_id=assessment.pk, transition="approve", to_state=State.APPROVED)
    assert (checkpoint["seq"], checkpoint["hash"]) == (approval.seq, approval.entry_hash)
    assert set(checkpoint) == {"seq", "hash", "signed_at", "key_id", "signature"}
    public_key = signing.load_private_key(settings.AUDIT_SIGNING_KEY).public_key()
    assert signing.checkpoint_is_valid(checkpoint, public_key)
    assert dossier.checkpoint == checkpoint
    text = normalise(" ".join(page_texts(content)))
    assert checkpoint["signature"][:20] in text.replace(" ", "")

    # Saved from the dossier as a file, it is a checkpoint verify_audit_log accepts; a forged one is caught.
    path = tmp_path / "from-dossier.json"
    path.write_text(json.dumps(checkpoint))
    status, output = verify("--checkpoint", str(path))
    assert status == 0, output
    path.write_text(json.dumps({**checkpoint, "hash": "0" * 64}))
    assert verify("--checkpoint", str(path))[0] == 1


def test_no_page_is_near_empty_and_table_headers_keep_their_words_whole(issued):
    _, _, content = issued
    pages = page_texts(content)

    # Chapters flow on; only the last page may be short (the cover and contents are full pages of their own).
    short = [(n, len(p)) for n, p in enumerate(pages[:-1], start=1) if len(p) < 800]
    assert short == [], short
    text = " ".join(pages)
    # A narrow column used to break "GROUPS" into "GROUP" and "S" on two lines.
    for header in ("GROUPS", "FOUR-FIFTHS", "SUBCATEGORY", "DIMENSION"):
        assert re.search(rf"\b{header}\b", text), header


def test_a_one_page_decision_summary_opens_the_dossier(issued):
    assessment, dossier, content = issued
    pages = page_texts(content)
    cover = normalise(pages[0])

    assert "Approved" in cover and dossier.document_id in cover
    for sign_off in SignOff.objects.filter(assessment=assessment).select_related("reviewer"):
        assert f"{roles.DOMAIN_LABELS[sign_off.stage]}: {sign_off.reviewer.get_full_name()}" in cover
    assert "Conditions 2 (section 7)" in cover
    assert pages[1].lstrip().startswith("Contents")  # the summary is one page


def test_a_feature_named_with_a_control_character_still_gets_a_signed_dossier(
    people, django_capture_on_commit_callbacks, login
):
    # Found by the API fuzzer: an escape character in the name went into the XMP metadata, which the signer
    # parses as XML, and the download was a 500. The metadata leaves it out; the body shows the name as typed.
    with django_capture_on_commit_callbacks(execute=True):
        assessment = rich_approved(people, name="Matching \x1b[31m v2")
    response = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))

    assert response.status_code == 200
    reader = PdfFileReader(io.BytesIO(response.content))
    assert len(reader.embedded_signatures) == 1
    assert "Matching [31m v2" in str(reader.trailer["/Info"]["/Title"])
