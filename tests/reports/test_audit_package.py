"""The offline verification kit: exported, copied elsewhere, checked by verify.py in a fresh virtual environment
that has only pyHanko and cryptography installed."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from assessments.models import State
from reports.signing import make_demo_pair

from ..workflow import advance, create_draft

KIT_DEPENDENCIES = ("pyhanko", "cryptography")


def pinned(name):
    text = (Path(settings.BASE_DIR) / "requirements.txt").read_text()
    return re.search(rf"^{name}==(\S+)$", text, re.MULTILINE | re.IGNORECASE).group(1)


@pytest.fixture(scope="session")
def kit_python(tmp_path_factory):
    """A fresh virtual environment with only verify.py's two dependencies, at the project's pinned versions."""
    folder = tmp_path_factory.mktemp("kit-venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    python = folder / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *[f"{n}=={pinned(n)}" for n in KIT_DEPENDENCIES]],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if install.returncode != 0:
        pytest.skip(f"cannot install pyhanko and cryptography into a fresh venv: {install.stderr[-500:]}")
    # Nothing of the project is importable there: not Django, not the project's own code.
    probe = subprocess.run([str(python), "-c", "import django"], capture_output=True, timeout=60)
    assert probe.returncode != 0
    return python


def run_verify(python, folder):
    result = subprocess.run(
        [str(python), "verify.py"], cwd=folder, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin"}
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def package(people, fast_render, settings, tmp_path):
    """Two issued dossiers, one signed before a certificate rotation and one after, exported and copied elsewhere."""
    before = advance(people, create_draft(people, name="Intake summaries"), State.APPROVED)
    old_cert = settings.DOSSIER_SIGNING_CERT
    from reports.services import dossier_freeze

    dossier_freeze(assessment_id=before.pk)
    new_key, new_cert = make_demo_pair(tmp_path / "rotated", organisation="Rotated organisation")
    settings.DOSSIER_SIGNING_KEY, settings.DOSSIER_SIGNING_CERT = str(new_key), str(new_cert)
    settings.DOSSIER_TRUSTED_CERTS = [old_cert]
    advance(people, create_draft(people, name="Therapist matching"), State.APPROVED)

    call_command("export_dossiers", "--since", "2000-01-01", str(tmp_path / "export"))
    elsewhere = tmp_path / "regulator" / "package"
    shutil.copytree(tmp_path / "export", elsewhere)
    shutil.rmtree(tmp_path / "export")
    return elsewhere


def test_the_kit_verifies_offline_with_only_its_two_dependencies(kit_python, package):
    status, output = run_verify(kit_python, package)

    assert status == 0, output
    lines = [line for line in output.splitlines() if line.startswith(("OK", "FAIL"))]
    assert len(lines) == 4 and all(line.startswith("OK") for line in lines), output
    assert "Demo organisation" in output and "Rotated organisation" in output  # both certificates, before and after
    manifest = json.loads((package / "manifest.json").read_text())
    assert {(f["feature"], f["version"], f["decision"]) for f in manifest["files"]} == {
        ("Intake summaries", 1, "approved"),
        ("Therapist matching", 1, "approved"),
    }
    assert all(set(f["checkpoint"]) == {"seq", "hash", "signed_at", "key_id", "signature"} for f in manifest["files"])


def test_one_flipped_byte_in_one_pdf_fails_that_file_only(kit_python, package):
    manifest = json.loads((package / "manifest.json").read_text())
    victim, other = manifest["files"][0]["file"], manifest["files"][1]["file"]
    path = package / victim
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))

    status, output = run_verify(kit_python, package)

    assert status == 1
    assert re.search(rf"^FAIL {re.escape(victim)}: .*SHA-256 is not the manifest's", output, re.MULTILINE), output
    assert re.search(rf"^OK   {re.escape(other)}: ", output, re.MULTILINE), output
    assert re.search(r"^OK   manifest.json: ", output, re.MULTILINE)


def test_an_edited_manifest_fails(kit_python, package):
    path = package / "manifest.json"
    path.write_text(path.read_text().replace('"decision": "approved"', '"decision": "rejected"', 1))

    status, output = run_verify(kit_python, package)

    assert status == 1
    assert re.search(r"^FAIL manifest.json: its signature does not validate", output, re.MULTILINE), output


def test_a_swapped_assessment_json_fails_that_file(kit_python, package):
    manifest = json.loads((package / "manifest.json").read_text())
    first, second = manifest["files"]
    (package / first["assessment_json"]).write_bytes((package / second["assessment_json"]).read_bytes())

    status, output = run_verify(kit_python, package)

    assert status == 1
    assert re.search(rf"^FAIL {re.escape(first['file'])}: .*differs from", output, re.MULTILINE), output


def test_the_kit_documents_the_same_pins_as_the_project():
    script = (Path(settings.BASE_DIR) / "reports" / "offline" / "verify.py").read_text()
    readme = (Path(settings.BASE_DIR) / "reports" / "offline" / "README.txt").read_text()
    for name in KIT_DEPENDENCIES:
        pin = f"{name}=={pinned(name)}"
        assert pin in script and pin in readme, pin
    imports = {m.group(1).split(".")[0] for m in re.finditer(r"^(?:from|import) (\S+)", script, re.MULTILINE)}
    assert imports - set(sys.stdlib_module_names) == {"cryptography", "pyhanko", "pyhanko_certvalidator"}


def test_the_workspace_downloads_the_package_of_the_filtered_issued_dossiers(people, fast_render, login, tmp_path):
    import io
    import zipfile

    from django.urls import reverse

    from reports.models import DossierDownload

    mine = advance(people, create_draft(people, name="Journaling prompts"), State.APPROVED)
    advance(people, create_draft(people, name="Rejected one"), State.REJECTED)
    advance(people, create_draft(people, name="Still in review"), State.LEGAL_REVIEW)
    url = reverse("reports_audit_package")

    response = login(people.auditor).get(url, {"state": "approved"})

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "audit-package"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [f["assessment"] for f in manifest["files"]] == [mine.pk]
    assert manifest["selection"] == "state=approved"
    assert list(DossierDownload.objects.filter(channel="export").values_list("username", flat=True)) == ["audrey"]
    result = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the workspace's users; bad filters are a 400.
    assert login(people.alice).get(url).status_code == 403
    assert login(people.auditor).get(url, {"state": "nonsense"}).status_code == 400
