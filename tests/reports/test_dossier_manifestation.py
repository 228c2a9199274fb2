"""The dossier prints each sign-off's manifestation: meaning, signer's name and username, UTC time (read back)."""

from datetime import UTC

from accounts import roles
from assessments.models import SignOff

from .conftest import page_texts
from .test_issued_dossier import issued, issued_once, normalise  # noqa: F401  (the issued dossier fixtures)


def test_the_dossier_prints_every_manifestation(issued):  # noqa: F811
    assessment, _dossier, content = issued
    text = normalise(" ".join(page_texts(content)))

    sign_offs = SignOff.objects.filter(assessment=assessment)
    assert sign_offs.count() == 5
    for sign_off in sign_offs:
        label = roles.DOMAIN_LABELS[sign_off.stage]
        when = sign_off.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        line = f"Approved as {label} reviewer by {sign_off.signer_name} ({sign_off.signer_username}) at {when}"
        assert normalise(line) in text
