"""Pieces of the dossier machinery: NIST texts, issued states, the demo signing pair, the system check."""

from django.core.management import call_command

from assessments.models import State
from assessments.questionnaire import QUESTIONNAIRE_DIR, get_questionnaire
from reports.checks import dossier_signing_configured
from reports.dossier import issued_states, nist_texts
from reports.signing import sign_pdf
from reports.validation import check_signature

from .conftest import plain_pdf


def test_every_nist_subcategory_the_questionnaires_name_has_its_text():
    _, texts = nist_texts()
    for path in QUESTIONNAIRE_DIR.glob("*.yaml"):
        questionnaire = get_questionnaire(path.stem)
        missing = [ref for ref in questionnaire.all_nist_subcategories() if not texts.get(ref)]
        assert missing == [], path.name
    assert texts["MEASURE 2.11"].startswith("Fairness and bias")


def test_issued_states_are_approval_and_what_follows_it():
    assert issued_states() == {
        State.APPROVED,
        State.LAUNCHED,
        State.REASSESSMENT_DUE,
        State.RETIRED,
        State.SUPERSEDED,
    }


def test_the_demo_pair_command_writes_a_pair_once(tmp_path):
    call_command("dossier_signing_demo_pair", str(tmp_path / "keys"))
    key = (tmp_path / "keys" / "dossier-signing-key.pem").read_bytes()
    call_command("dossier_signing_demo_pair", str(tmp_path / "keys"))

    assert (tmp_path / "keys" / "dossier-signing-key.pem").read_bytes() == key  # kept, not replaced
    assert oct((tmp_path / "keys" / "dossier-signing-key.pem").stat().st_mode)[-3:] == "600"


def test_a_signed_pdf_checks_and_an_appended_update_is_not_the_whole_file():
    from django.utils import timezone

    signed = sign_pdf(plain_pdf(), signed_at=timezone.now(), reason="test")
    check = check_signature(signed)
    appended = check_signature(signed + b"\n% appended after signing\n")

    assert check.ok and "demo" in check.signer
    assert not check_signature(plain_pdf()).present
    assert not check_signature(b"not a pdf at all").ok
    assert appended.intact is False or appended.covers_whole_file is False


def test_the_deploy_check_warns_when_signing_is_not_configured(settings):
    assert dossier_signing_configured(None) == []
    settings.DOSSIER_SIGNING_KEY = ""
    [warning] = dossier_signing_configured(None)
    assert warning.id == "reports.W001"
    settings.DOSSIER_SIGNING_KEY = "/nonexistent/key.pem"
    [warning] = dossier_signing_configured(None)
    assert "does not exist" in warning.msg


def test_signing_and_checking_work_inside_a_running_event_loop():
    # As after the browser tests (Playwright keeps a loop running in this thread) or under an async server:
    # pyHanko's sync API alone would refuse with "asyncio.run() cannot be called from a running event loop".
    import asyncio

    from django.utils import timezone

    def sign_and_check():
        asyncio.get_running_loop()  # raises unless a loop really runs here
        return check_signature(sign_pdf(plain_pdf(), signed_at=timezone.now(), reason="test"))

    async def inside():
        return sign_and_check()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        assert asyncio.run(inside()).ok
    else:
        assert sign_and_check().ok  # this session already runs a loop (the browser tests ran first)
