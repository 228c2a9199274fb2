"""Register text is never overwritten nor published unread: the draft form and the publish form carry the version
of the text they showed, and the services compare it under the feature's lock."""

import pytest

from assessments.errors import TransitionConflict
from assessments.models import AuditEntry, State
from reports.models import RegisterText
from reports.register_publication import register_text_draft, register_text_publish, text_version

from ..row_locks import second_while_first_holds_the_lock
from ..workflow import advance, create_draft
from .register_text import TEXT, fresh_register  # noqa: F401  (fresh_register: an autouse fixture)

ALICE_WORDS = "Write to our support team. A person replies the same day."
BEN_WORDS = "Call our support line. A person answers at once."


@pytest.fixture
def launched(people, fast_render):
    return advance(people, create_draft(people, name="Intake summary"), State.LAUNCHED)


def legal(people):
    return people.reviewers["legal"]


def the_draft(feature):
    return RegisterText.objects.get(feature=feature, status=RegisterText.Status.DRAFT)


def url(feature):
    return f"/reports/register/{feature.pk}/"


# -- the services ---------------------------------------------------------------------------------------------


def test_a_draft_saved_from_a_stale_version_is_refused(people, launched):
    opened = text_version(register_text_draft(feature=launched.feature, by=people.alice, values=TEXT))
    register_text_draft(
        feature=launched.feature, by=people.alice, values={"how_to_complain": ALICE_WORDS}, expected_version=opened
    )
    with pytest.raises(TransitionConflict) as refused:
        register_text_draft(
            feature=launched.feature, by=people.ben, values={"how_to_complain": BEN_WORDS}, expected_version=opened
        )
    assert refused.value.reasons[0].code == "stale_register_text"
    assert the_draft(launched.feature).how_to_complain == ALICE_WORDS


def test_a_draft_opened_before_a_change_was_published_is_refused(people, launched):
    """The form showed a draft that someone else changed and published meanwhile: saving from it is refused."""
    draft = register_text_draft(feature=launched.feature, by=people.alice, values=TEXT)
    opened = text_version(draft)
    register_text_publish(text=draft, by=legal(people))
    register_text_draft(feature=launched.feature, by=people.ben, values={"data_used": "Your intake answers."})
    register_text_publish(text=the_draft(launched.feature), by=legal(people))
    with pytest.raises(TransitionConflict):
        register_text_draft(
            feature=launched.feature, by=people.alice, values={"supplier": "Acme"}, expected_version=opened
        )
    assert not RegisterText.objects.filter(feature=launched.feature, status=RegisterText.Status.DRAFT).exists()


def test_publishing_a_draft_changed_after_it_was_read_is_refused(people, launched):
    shown = register_text_draft(feature=launched.feature, by=people.alice, values=TEXT)
    register_text_draft(feature=launched.feature, by=people.ben, values={"how_to_complain": BEN_WORDS})
    for expected in (None, text_version(shown)):  # the text as given, or the version the form showed
        with pytest.raises(TransitionConflict) as refused:
            register_text_publish(text=shown, by=legal(people), expected_version=expected)
        assert refused.value.reasons[0].code == "stale_register_text"
    assert the_draft(launched.feature).how_to_complain == BEN_WORDS
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REGISTER_PUBLISHED).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_draft_version_is_compared_under_the_lock(people, launched, postgres_only):
    opened = text_version(register_text_draft(feature=launched.feature, by=people.alice, values=TEXT))

    def save(by, words):
        return lambda: register_text_draft(
            feature=launched.feature, by=by, values={"how_to_complain": words}, expected_version=opened
        )

    outcome = second_while_first_holds_the_lock(save(people.alice, ALICE_WORDS), save(people.ben, BEN_WORDS))
    assert isinstance(outcome, TransitionConflict), outcome
    assert the_draft(launched.feature).how_to_complain == ALICE_WORDS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publishing_compares_the_version_under_the_lock(people, launched, postgres_only):
    shown = register_text_draft(feature=launched.feature, by=people.alice, values=TEXT)
    opened = text_version(shown)
    outcome = second_while_first_holds_the_lock(
        lambda: register_text_draft(
            feature=launched.feature, by=people.ben, values={"how_to_complain": BEN_WORDS}, expected_version=opened
        ),
        lambda: register_text_publish(text=shown, by=legal(people), expected_version=opened),
    )
    assert isinstance(outcome, TransitionConflict), outcome
    assert the_draft(launched.feature).how_to_complain == BEN_WORDS
    assert not RegisterText.objects.filter(status=RegisterText.Status.PUBLISHED).exists()


# -- the page -------------------------------------------------------------------------------------------------


def test_a_second_save_shows_the_conflict_and_keeps_what_was_typed(people, launched, client):
    opened = text_version(register_text_draft(feature=launched.feature, by=people.alice, values=TEXT))
    client.force_login(people.alice)
    page = client.get(url(launched.feature)).content.decode()
    assert f'name="version" value="{opened}"' in page
    first = client.post(
        url(launched.feature), {"action": "save", "version": opened, **TEXT, "how_to_complain": ALICE_WORDS}
    )
    assert first.status_code == 302

    client.force_login(people.ben)
    response = client.post(
        url(launched.feature), {"action": "save", "version": opened, **TEXT, "how_to_complain": BEN_WORDS}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved" in html and "Someone else changed this register text" in html
    assert f">{BEN_WORDS}</textarea>" in html  # what Ben typed is still in the form
    assert ALICE_WORDS in html.split('id="conflict-h"')[1].split("</section>")[0]  # the text as it is now
    assert f'name="version" value="{text_version(the_draft(launched.feature))}"' in html
    assert the_draft(launched.feature).how_to_complain == ALICE_WORDS


def test_a_save_without_a_version_is_refused_and_keeps_what_was_typed(people, launched, client):
    client.force_login(people.alice)
    response = client.post(url(launched.feature), {"action": "save", **TEXT, "how_to_complain": BEN_WORDS})
    assert response.status_code == 400 and f">{BEN_WORDS}</textarea>" in response.content.decode()
    assert not RegisterText.objects.exists()
    # Who may not save hears that first.
    client.force_login(people.olga)
    assert client.post(url(launched.feature), {"action": "save", **TEXT}).status_code == 404
    client.force_login(legal(people))
    assert client.post(url(launched.feature), {"action": "save", **TEXT}).status_code == 403


def test_publishing_from_a_stale_page_shows_the_draft_as_it_is_now(people, launched, client):
    shown = text_version(register_text_draft(feature=launched.feature, by=people.alice, values=TEXT))
    register_text_draft(feature=launched.feature, by=people.ben, values={"how_to_complain": BEN_WORDS})
    client.force_login(legal(people))
    response = client.post(url(launched.feature), {"action": "publish", "version": shown, "comment": "Plain."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not published" in html and BEN_WORDS in html and 'value="Plain."' in html
    now = text_version(the_draft(launched.feature))
    assert f'name="version" value="{now}"' in html
    assert not RegisterText.objects.filter(status=RegisterText.Status.PUBLISHED).exists()

    assert client.post(url(launched.feature), {"action": "publish", "comment": "Plain."}).status_code == 400
    assert client.post(url(launched.feature), {"action": "publish", "version": now}).status_code == 302
    published = RegisterText.objects.get(status=RegisterText.Status.PUBLISHED)
    assert published.how_to_complain == BEN_WORDS and text_version(published) == now
