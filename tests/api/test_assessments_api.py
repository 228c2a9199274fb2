from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from assessments import services
from assessments.models import AIFeature, Assessment, AuditEntry, State
from tests.answers import complete_answers
from tests.factories import UserFactory
from tests.workflow import act, advance, create_draft

from .contract import CONTRACT_FIELDS

LIST = "/api/v1/assessments/"


def detail(assessment):
    return f"/api/v1/assessments/{assessment.pk}/"


def ids(response):
    return {row["id"] for row in response.json()["results"]}


# -- list ------------------------------------------------------------------------------------


@pytest.fixture
def portfolio(people):
    """A draft and a submitted assessment of client-experience, and a draft of growth."""
    draft = create_draft(people)
    submitted = advance(people, create_draft(people), State.LEGAL_REVIEW)
    growth_draft = services.assessment_create(
        team=people.other_team, feature_name="Growth nudges", answers={}, by=people.olga
    )
    return {"draft": draft, "submitted": submitted, "growth_draft": growth_draft}


def test_the_team_lists_its_drafts_and_submitted_assessments_only(people, client_for, portfolio):
    response = client_for(people.alice).get(LIST)

    assert response.status_code == 200
    assert ids(response) == {portfolio["draft"].pk, portfolio["submitted"].pk}
    assert "count" not in response.json()  # nothing is counted: the list costs the same at any size


def test_another_team_lists_only_its_own(people, client_for, portfolio):
    assert ids(client_for(people.olga).get(LIST)) == {portfolio["growth_draft"].pk}


@pytest.mark.parametrize("role", [*roles.DOMAINS, "chair", "auditor"])
def test_the_committee_and_auditors_list_everything_past_draft_but_no_drafts(people, client_for, portfolio, role):
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)

    assert ids(client_for(user).get(LIST)) == {portfolio["submitted"].pk}


def test_a_user_without_a_team_or_role_lists_nothing(people, client_for, portfolio):
    response = client_for(people.nobody).get(LIST)

    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": []}


def test_an_admin_lists_everything(people, client_for, portfolio):
    assert ids(client_for(people.admin).get(LIST)) == {a.pk for a in portfolio.values()}


def test_anonymous_callers_get_401(client_for, portfolio):
    response = client_for(None).get(LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_filters_by_state_team_and_risk_level(people, client_for, portfolio):
    client = client_for(people.admin)

    assert ids(client.get(LIST, {"state": "legal_review"})) == {portfolio["submitted"].pk}
    assert ids(client.get(LIST, {"team": "growth"})) == {portfolio["growth_draft"].pk}
    assert ids(client.get(LIST, {"state": "draft", "team": "client-experience"})) == {portfolio["draft"].pk}
    level = portfolio["draft"].risk_level
    expected = {a.pk for a in portfolio.values() if a.risk_level == level}
    assert ids(client.get(LIST, {"risk_level": level})) == expected


def test_a_filter_never_widens_what_the_caller_sees(people, client_for, portfolio):
    assert ids(client_for(people.auditor).get(LIST, {"state": "draft"})) == set()


def test_another_teams_slug_answers_like_one_that_does_not_exist(people, client_for, portfolio):
    # The same answer for both, so the filter reveals no team names.
    theirs = client_for(people.olga).get(LIST, {"team": "client-experience"})
    nobodys = client_for(people.olga).get(LIST, {"team": "no-such-team"})
    assert theirs.status_code == nobodys.status_code == 200
    assert theirs.json()["results"] == nobodys.json()["results"] == []


@pytest.mark.parametrize(
    "query, field",
    [({"state": "finished"}, "state"), ({"risk_level": "9"}, "risk_level"), ({"risk_level": "high"}, "risk_level")],
)
def test_a_bad_filter_value_is_a_400_naming_the_filter(people, client_for, portfolio, query, field):
    response = client_for(people.alice).get(LIST, query)

    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert body["detail"]


def test_it_pages_by_cursor_newest_change_first(people, client_for):
    made = [create_draft(people) for _ in range(3)]
    client = client_for(people.alice)

    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["id"] for r in first["results"]] == [made[2].pk, made[1].pk]
    assert first["previous"] is None
    assert "page_size=2" in first["next"] and "cursor=" in first["next"]
    assert [r["id"] for r in second["results"]] == [made[0].pk]
    assert second["next"] is None
    assert [r["id"] for r in client.get(second["previous"]).json()["results"]] == [made[2].pk, made[1].pk]


def test_a_page_number_is_a_400_naming_it(people, client_for):
    create_draft(people)

    response = client_for(people.alice).get(LIST, {"page": 2})

    assert response.status_code == 400
    assert "page" in response.json()
    assert response.json()["detail"]


def _populate(people, count):
    """``count`` assessments with a sign-off and a condition each, as the list must show them."""
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    for _ in range(count):
        assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
        act(people, assessment, "approve", conditions=[{"text": "Report monthly.", "owner": "ben", "due_date": due}])


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"page_size": 100})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("who", ["alice", "chair"])
def test_listing_takes_the_same_number_of_queries_for_5_and_30_assessments(people, client_for, who):
    client = client_for(getattr(people, who))
    _populate(people, 5)
    client.get(LIST)  # force_authenticate keeps one user object, whose groups are then read once, not per request
    few, count = _list_queries(client)
    assert count == 5
    _populate(people, 25)
    many, count = _list_queries(client)
    assert count == 30

    assert few == many
    assert many == 1  # the page's rows, feature and team joined: nothing counted, nothing prefetched


def test_a_list_row_is_a_summary_whose_url_reads_the_whole_assessment(people, client_for):
    _populate(people, 1)
    client = client_for(people.alice)

    row = client.get(LIST).json()["results"][0]

    assert list(row) == [
        "id",
        "url",
        "feature_name",
        "team",
        "version",
        "state",
        "risk_level",
        "review_round",
        "created_at",
        "updated_at",
        "questionnaire_version",
        "content_hash",
    ]
    whole = client.get(row["url"]).json()
    assert row["url"].endswith(f"/api/v1/assessments/{row['id']}/")
    assert {k: whole[k] for k in row if k != "url"} == {k: v for k, v in row.items() if k != "url"}
    assert whole["answers"] and whole["sign_offs"] and whole["conditions"]
    # The list's database query reads neither the answers nor the score breakdown.
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    page_query = [q["sql"] for q in queries.captured_queries if "assessments_assessment" in q["sql"]][-1]
    assert '"answers"' not in page_query and '"risk_score"' not in page_query


# -- create ----------------------------------------------------------------------------------


def test_a_team_member_creates_a_draft(people, client_for):
    answers = complete_answers()

    response = client_for(people.alice).post(
        LIST, {"feature_name": "Intake triage", "team": "client-experience", "answers": answers}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assessment = Assessment.objects.get(pk=body["id"])
    assert response["Location"] == detail(assessment)
    assert body["feature_name"] == "Intake triage"
    assert body["team"] == "client-experience"
    assert body["state"] == "draft"
    assert body["version"] == 1
    assert body["answers"] == answers == assessment.answers
    assert body["risk_level"] == assessment.risk_level
    assert body["sign_offs"] == [] and body["conditions"] == []
    assert assessment.feature.owner == people.alice
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, action="created").count() == 1


def test_a_draft_may_start_without_answers(people, client_for):
    response = client_for(people.ben).post(LIST, {"feature_name": "Empty", "team": "client-experience"}, format="json")

    assert response.status_code == 201
    assert response.json()["answers"] == {}


NOT_YOUR_TEAM = {
    "detail": "You are not a member of a team with that slug.",
    "team": "You are not a member of a team with that slug.",
}


@pytest.mark.parametrize("slug", ["nope", "growth"], ids=["no such team", "another team"])
def test_no_such_team_and_not_your_team_are_the_same_400(people, client_for, slug):
    response = client_for(people.alice).post(LIST, {"feature_name": "X", "team": slug}, format="json")

    assert response.status_code == 400
    assert response.json() == NOT_YOUR_TEAM
    assert not AIFeature.objects.exists()


@pytest.mark.parametrize("who", ["olga", "nobody", "chair", "auditor", "admin"])
def test_only_members_of_the_team_may_create_its_drafts(people, client_for, who):
    response = client_for(getattr(people, who)).post(
        LIST, {"feature_name": "Sneaky", "team": "client-experience"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == NOT_YOUR_TEAM
    assert not AIFeature.objects.exists()


def test_a_reviewer_may_not_create_for_a_team_they_are_not_in(people, client_for):
    response = client_for(people.reviewers["legal"]).post(
        LIST, {"feature_name": "Sneaky", "team": "client-experience"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == NOT_YOUR_TEAM


def test_anonymous_callers_may_not_create(client_for, people):
    response = client_for(None).post(LIST, {"feature_name": "X", "team": "client-experience"}, format="json")

    assert response.status_code == 401
    assert not AIFeature.objects.exists()


def test_answer_errors_are_keyed_by_question_id(people, client_for):
    response = client_for(people.alice).post(
        LIST,
        {
            "feature_name": "Intake triage",
            "team": "client-experience",
            "answers": {"clinical.provides_therapy": "maybe", "no.such_question": 1},
        },
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some answers are not valid."
    assert set(body["answers"]) == {"clinical.provides_therapy", "no.such_question"}
    assert body["answers"]["clinical.provides_therapy"].endswith("— Give true or false.")
    assert body["answers"]["no.such_question"] == "Unknown question id."
    assert not AIFeature.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"team": "client-experience"}, "feature_name"),
        ({"feature_name": "X"}, "team"),
        ({"feature_name": "   ", "team": "client-experience"}, "feature_name"),
        ({"feature_name": "x" * 201, "team": "client-experience"}, "feature_name"),
        ({"feature_name": "X", "team": "client-experience", "answers": ["a"]}, "answers"),
        ({"feature_name": "X", "team": "client-experience", "answers": None}, "answers"),
        ({"feature_name": "X", "team": "client-experience", "state": "approved"}, "state"),
        ({"feature_name": "X", "team": 7}, "team"),
    ],
)
def test_bad_create_input_is_a_400_naming_the_field(people, client_for, payload, field):
    response = client_for(people.alice).post(LIST, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert field in body
    assert isinstance(body["detail"], str) and body["detail"]
    assert not AIFeature.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(people, client_for):
    response = client_for(people.alice).post(LIST, ["feature_name"], format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid data. Expected a dictionary, but got list."


def test_a_duplicate_feature_name_is_a_409(people, client_for):
    create_draft(people, name="Intake triage")

    response = client_for(people.alice).post(
        LIST, {"feature_name": "intake TRIAGE", "team": "client-experience"}, format="json"
    )

    assert response.status_code == 409
    assert "start a re-assessment" in response.json()["feature_name"]
    assert AIFeature.objects.count() == 1


# -- read ------------------------------------------------------------------------------------


def test_the_read_representation_has_the_contract_fields(people, client_for):
    assessment = create_draft(people)

    body = client_for(people.alice).get(detail(assessment)).json()

    assert set(body) >= CONTRACT_FIELDS
    assert set(body) - CONTRACT_FIELDS == {
        "questionnaire_version",
        "review_round",
        "risk_score",
        "hard_stops",
        "content_hash",
    }
    assert body["id"] == assessment.pk
    assert body["questionnaire_version"] == "v2"
    assert body["risk_score"]["level"] == body["risk_level"]
    assert body["hard_stops"] == []
    assert body["content_hash"] == assessment.content_hash
    assert body["review_round"] == 0  # a draft never submitted


def test_it_shows_sign_offs_and_conditions_with_usernames_and_validity(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    act(people, assessment, "approve", comment="Fine.", conditions=[{"text": "Audit logs.", "due_date": due}])
    assessment = act(people, Assessment.objects.get(pk=assessment.pk), "request_changes")
    services.assessment_update_answers(
        assessment=assessment, answers={"overview.vendor": "Another vendor"}, by=people.alice
    )

    body = client_for(people.auditor).get(detail(assessment)).json()

    legal, security = body["sign_offs"]
    assert legal["stage"] == "legal"
    assert legal["reviewer"] == "legal_reviewer"
    assert legal["decision"] == "approved"
    assert legal["comment"] == "Fine."
    assert legal["review_round"] == 1
    assert len(legal["content_hash"]) == 64
    assert legal["valid"] is False  # the answers changed after it
    assert security["decision"] == "changes_requested"
    # The round ended with a change request, so its condition is carried as proposed, for Legal to keep or drop.
    assert body["conditions"] == [
        {
            "id": body["conditions"][0]["id"],
            "text": "Audit logs.",
            "owner": "alice",
            "due_date": due,
            "before_launch": False,
            "status": "proposed",
            "met": False,
        }
    ]


def test_it_lists_hard_stops(people, client_for):
    assessment = create_draft(people, **{"clinical.provides_therapy": True})

    body = client_for(people.alice).get(detail(assessment)).json()

    assert [hit["question"] for hit in body["hard_stops"]] == ["clinical.provides_therapy"]


@pytest.mark.parametrize("who", ["alice", "ben", "admin"])
def test_the_team_and_admins_read_a_draft(people, client_for, who):
    assessment = create_draft(people)

    assert client_for(getattr(people, who)).get(detail(assessment)).status_code == 200


@pytest.mark.parametrize("role", [*roles.DOMAINS, "chair", "auditor", "olga", "nobody"])
def test_a_draft_is_invisible_outside_the_team(people, client_for, role):
    assessment = create_draft(people)
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)

    response = client_for(user).get(detail(assessment))

    assert response.status_code == 404
    assert response.json() == {"detail": "No such assessment."}


@pytest.mark.parametrize("role", [*roles.DOMAINS, "chair", "auditor", "alice"])
def test_a_submitted_assessment_is_visible_to_the_committee_auditors_and_team(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)

    assert client_for(user).get(detail(assessment)).status_code == 200


@pytest.mark.parametrize("who", ["olga", "nobody"])
def test_a_submitted_assessment_stays_invisible_to_outsiders(people, client_for, who):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    assert client_for(getattr(people, who)).get(detail(assessment)).status_code == 404


def test_a_missing_assessment_looks_the_same_as_an_invisible_one(people, client_for):
    response = client_for(people.alice).get("/api/v1/assessments/424242/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such assessment."}


def test_anonymous_callers_may_not_read(people, client_for):
    assessment = create_draft(people)

    assert client_for(None).get(detail(assessment)).status_code == 401


# -- edit answers ----------------------------------------------------------------------------


def test_patch_merges_answers_and_null_clears_one(people, client_for):
    assessment = create_draft(people)
    before = dict(assessment.answers)

    response = client_for(people.ben).patch(
        detail(assessment),
        {"answers": {"overview.vendor": "Acme Health AI", "oversight.accountable_owner": None}},
        format="json",
    )

    assert response.status_code == 200
    answers = response.json()["answers"]
    assert answers["overview.vendor"] == "Acme Health AI"
    assert "oversight.accountable_owner" not in answers
    assert answers["overview.purpose"] == before["overview.purpose"]
    assessment.refresh_from_db()
    assert assessment.answers == answers
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, action="answers_changed").count() == 1


def test_patch_recomputes_the_risk_level(people, client_for):
    assessment = create_draft(people)
    level_before = assessment.risk_level

    response = client_for(people.alice).patch(
        detail(assessment),
        {"answers": {"overview.audience": ["clients", "therapists"], "impact.error_severity": "harm_to_wellbeing"}},
        format="json",
    )

    assert response.status_code == 200
    assessment.refresh_from_db()
    assert assessment.risk_score["raw"] > 3 and assessment.risk_level >= level_before
    assert response.json()["risk_level"] == assessment.risk_level
    assert response.json()["risk_score"] == assessment.risk_score


def test_an_empty_patch_changes_nothing(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).patch(detail(assessment), {}, format="json")

    assert response.status_code == 200
    assert response.json()["answers"] == assessment.answers


def test_patch_in_changes_requested_works_and_invalidates_sign_offs(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, act(people, assessment, "approve"), "request_changes")

    response = client_for(people.alice).patch(
        detail(assessment), {"answers": {"overview.vendor": "New vendor"}}, format="json"
    )

    assert response.status_code == 200
    # Both decisions were bound to the old answers.
    assert [(s["decision"], s["valid"]) for s in response.json()["sign_offs"]] == [
        ("approved", False),
        ("changes_requested", False),
    ]


@pytest.mark.parametrize("state", [State.LEGAL_REVIEW, State.APPROVED, State.LAUNCHED, State.REJECTED])
def test_the_team_may_not_edit_outside_draft_or_changes_requested(people, client_for, state):
    assessment = advance(people, create_draft(people), state)
    before = dict(assessment.answers)

    response = client_for(people.alice).patch(
        detail(assessment), {"answers": {"overview.vendor": "Changed"}}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert "can be edited only in draft" in body["detail"]
    assert body["reasons"] == [{"code": "not_editable", "message": body["detail"], "question": None}]
    assessment.refresh_from_db()
    assert assessment.answers == before


@pytest.mark.parametrize("role", ["legal", "security", "chair", "auditor", "admin"])
def test_people_who_see_but_may_not_edit_get_403(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)

    response = client_for(user).patch(detail(assessment), {"answers": {"overview.vendor": "Changed"}}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only members of the team Client Experience may edit its answers."}
    assessment.refresh_from_db()
    assert assessment.answers["overview.vendor"] != "Changed"


def test_an_admin_may_not_edit_a_draft_either(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.admin).patch(detail(assessment), {"answers": {}}, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize("who", ["olga", "nobody", "auditor"])
def test_people_who_may_not_see_a_draft_get_404_on_patch(people, client_for, who):
    assessment = create_draft(people)

    response = client_for(getattr(people, who)).patch(
        detail(assessment), {"answers": {"overview.vendor": "Changed"}}, format="json"
    )

    assert response.status_code == 404


def test_a_reviewer_gets_404_on_a_draft(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.reviewers["legal"]).patch(detail(assessment), {"answers": {}}, format="json")

    assert response.status_code == 404


def test_invalid_answers_are_400_by_question_and_nothing_is_saved(people, client_for):
    assessment = create_draft(people)
    before = dict(assessment.answers)

    response = client_for(people.alice).patch(
        detail(assessment),
        {"answers": {"overview.vendor": "Fine", "data.retention_days": -3, "overview.audience": ["aliens"]}},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body["answers"]) == {"data.retention_days", "overview.audience"}
    assert "at least 0" in body["answers"]["data.retention_days"]
    assessment.refresh_from_db()
    assert assessment.answers == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"answers": "yes"}, "answers"),
        ({"answers": {}, "state": "approved"}, "state"),
        ({"answers": {}, "feature_name": "Renamed"}, "feature_name"),
    ],
)
def test_patch_refuses_anything_but_an_answers_object(people, client_for, payload, field):
    assessment = create_draft(people)

    response = client_for(people.alice).patch(detail(assessment), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT
    assert assessment.feature.name != "Renamed"


def test_anonymous_callers_may_not_patch(people, client_for):
    assessment = create_draft(people)

    assert client_for(None).patch(detail(assessment), {"answers": {}}, format="json").status_code == 401


def test_a_team_member_who_is_also_a_reviewer_still_edits_as_the_team(people, client_for):
    both = UserFactory(username="lee", roles=[roles.LEGAL])
    people.team.members.add(both)
    assessment = create_draft(people)

    response = client_for(both).patch(detail(assessment), {"answers": {"overview.vendor": "V"}}, format="json")

    assert response.status_code == 200


def test_an_edit_based_on_stale_answers_is_a_409_and_changes_nothing(people, client_for):
    assessment = create_draft(people)
    read_hash = client_for(people.alice).get(detail(assessment)).json()["content_hash"]
    # Ben saves a change after Alice read the answers.
    ben = client_for(people.ben).patch(
        detail(assessment),
        {"answers": {"overview.vendor": "Ben's vendor"}, "expected_content_hash": read_hash},
        format="json",
    )
    assert ben.status_code == 200

    alice = client_for(people.alice).patch(
        detail(assessment),
        {"answers": {"overview.vendor": "Alice's vendor"}, "expected_content_hash": read_hash},
        format="json",
    )

    assert alice.status_code == 409
    assert alice.json()["reasons"][0]["code"] == "stale_content"
    assessment.refresh_from_db()
    assert assessment.answers["overview.vendor"] == "Ben's vendor"


def test_an_expected_content_hash_must_look_like_one(people, client_for):
    assessment = create_draft(people)
    response = client_for(people.alice).patch(
        detail(assessment), {"answers": {}, "expected_content_hash": "abc"}, format="json"
    )
    assert response.status_code == 400
    assert "expected_content_hash" in response.json()
