import pytest

from tests.workflow import create_draft

LIST = "/api/v1/assessments/"


@pytest.fixture
def tight_rates(settings):
    settings.API_THROTTLE_RATES = {"api_read": "3/min", "api_write": "2/min"}


def test_writes_are_throttled_per_user(people, client_for, tight_rates):
    alice = client_for(people.alice)
    assessment = create_draft(people)
    url = f"/api/v1/assessments/{assessment.pk}/"
    for _ in range(2):
        assert alice.patch(url, {"answers": {}}, format="json").status_code == 200

    response = alice.patch(url, {"answers": {"overview.vendor": "Too fast"}}, format="json")

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert "Retry-After" in response
    assessment.refresh_from_db()
    assert assessment.answers["overview.vendor"] != "Too fast"
    assert client_for(people.ben).patch(url, {"answers": {}}, format="json").status_code == 200


def test_reads_have_their_own_allowance(people, client_for, tight_rates):
    alice = client_for(people.alice)
    for _ in range(2):
        alice.post(LIST, {"feature_name": "x", "team": "nope"}, format="json")
    for _ in range(3):
        assert alice.get(LIST).status_code == 200

    assert alice.get(LIST).status_code == 429
    assert alice.get("/api/v1/questionnaire/").status_code == 429
    assert client_for(people.ben).get(LIST).status_code == 200


def test_the_default_rates_are_generous_for_reads_and_tighter_for_writes():
    from assessments.api.throttling import DEFAULT_RATES

    assert DEFAULT_RATES == {"api_token": "10/min", "api_read": "600/min", "api_write": "60/min"}


def test_a_rate_set_to_none_turns_throttling_off(people, client_for, settings):
    settings.API_THROTTLE_RATES = {"api_read": None}
    alice = client_for(people.alice)

    assert all(alice.get(LIST).status_code == 200 for _ in range(20))
