"""A database restored or moved without its media folder: a dossier whose stored file is missing is refused with
what to do (503), never a server error, in the browser, the API and the bulk export alike."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessments.models import State
from reports.models import dossier_storage
from reports.services import dossier_freeze

from ..workflow import advance, create_draft

MESSAGE = "is missing; it is not served. Restore the media folder from the backup taken with the database."


@pytest.fixture
def file_lost(people, fast_render):
    assessment = advance(people, create_draft(people), State.APPROVED)
    dossier = dossier_freeze(assessment_id=assessment.pk)
    dossier_storage().delete(dossier.file_name)
    return assessment


def test_the_browser_answers_503_saying_to_restore_the_media_folder(people, login, file_lost):
    response = login(people.auditor).get(reverse("dossier_pdf", args=[file_lost.pk]))
    assert response.status_code == 503
    assert MESSAGE.encode() in response.content


def test_the_api_answers_503_saying_to_restore_the_media_folder(people, login, file_lost):
    response = login(people.auditor).get(reverse("api-assessment-dossier", args=[file_lost.pk]))
    assert response.status_code == 503
    assert MESSAGE in response.json()["detail"]


def test_the_bulk_export_stops_saying_which_dossier_is_missing(file_lost, tmp_path):
    with pytest.raises(CommandError, match=MESSAGE):
        call_command("export_dossiers", "--since", "2000-01-01", str(tmp_path / "out"))
