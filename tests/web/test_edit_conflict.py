"""Two people editing the same answers: the second save is refused with what changed, never lost (lost update)."""

import pytest
from django.urls import reverse

from assessments.models import AuditEntry

from ..answers import complete_answers
from ..test_text_input import odd_charset_post
from ..workflow import create_draft
from .posting import form_data


def edit_url(assessment):
    return reverse("assessment_edit", args=[assessment.pk])


def test_the_second_save_from_the_same_version_is_refused_with_what_changed(people, login):
    assessment = create_draft(people)
    opened_at = assessment.content_hash
    first = login(people.ben).post(
        edit_url(assessment),
        form_data(complete_answers(**{"impact.benefits": "Ben's words."}), base_hash=opened_at, action="save"),
    )
    assert first.status_code == 302
    response = login(people.alice).post(
        edit_url(assessment),
        form_data(complete_answers(**{"impact.benefits": "Alice's words."}), base_hash=opened_at, action="save"),
    )
    assessment.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409
    assert assessment.answers["impact.benefits"] == "Ben's words."
    # What changed meanwhile, with who saved it, and the user's own text still in the form.
    table = page[page.index('id="changed-meanwhile"') :][:3000]
    assert "Ben&#x27;s words." in table and people.ben.get_username() in table
    assert 'href="#q-impact-benefits"' in table
    assert table.count("data-changed-meanwhile") == 1
    assert "Alice&#x27;s words.</textarea>" in page
    # The form now carries the version just shown: saving again is a deliberate overwrite.
    assert f'name="base_hash" value="{assessment.content_hash}"' in page
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, action="answers_changed").count() == 1


def test_saving_again_from_the_conflict_page_replaces_the_answers(people, login):
    assessment = create_draft(people)
    opened_at = assessment.content_hash
    login(people.ben).post(
        edit_url(assessment), form_data(complete_answers(**{"impact.benefits": "Ben's words."}), base_hash=opened_at)
    )
    assessment.refresh_from_db()
    response = login(people.alice).post(
        edit_url(assessment),
        form_data(complete_answers(**{"impact.benefits": "Alice's words."}), base_hash=assessment.content_hash),
    )
    assessment.refresh_from_db()
    assert response.status_code == 302
    assert assessment.answers["impact.benefits"] == "Alice's words."


def test_a_save_from_the_current_version_is_not_a_conflict(people, login):
    assessment = create_draft(people)
    response = login(people.alice).post(
        edit_url(assessment),
        form_data(complete_answers(**{"impact.benefits": "New."}), base_hash=assessment.content_hash),
    )
    assert response.status_code == 302


def test_an_invalid_post_keeps_the_version_it_was_opened_at(people, login):
    assessment = create_draft(people)
    opened_at = assessment.content_hash
    login(people.ben).post(
        edit_url(assessment), form_data(complete_answers(**{"impact.benefits": "Ben's words."}), base_hash=opened_at)
    )
    data = form_data(complete_answers(), base_hash=opened_at)
    data["impact__expected_users_per_month"] = "lots"
    response = login(people.alice).post(edit_url(assessment), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert f'name="base_hash" value="{opened_at}"' in page


@pytest.mark.parametrize("base_hash", [None, "", "abc", "\udfff" * 64, "\x00" * 64, "A" * 64, "0" * 65])
def test_a_post_without_a_well_formed_version_it_was_opened_at_is_refused(people, login, base_hash):
    assessment = create_draft(people)
    before = dict(assessment.answers)
    data = form_data(complete_answers(**{"impact.benefits": "X"}))
    if base_hash is not None:
        data["base_hash"] = base_hash
    client = login(people.alice)
    if base_hash and "\udfff" in base_hash:  # a lone surrogate arrives only in an odd declared charset
        response = odd_charset_post(client, edit_url(assessment), data)
    else:
        response = client.post(edit_url(assessment), data)
    assessment.refresh_from_db()
    assert response.status_code == 400
    assert assessment.answers == before
    assert "did not say which version" in response.content.decode()


def test_a_forged_version_shows_the_conflict_without_a_change_list(people, login):
    assessment = create_draft(people)
    response = login(people.alice).post(
        edit_url(assessment), form_data(complete_answers(**{"impact.benefits": "X"}), base_hash="0" * 64)
    )
    assert response.status_code == 409
    assert "could not tell which version you opened" in response.content.decode()
